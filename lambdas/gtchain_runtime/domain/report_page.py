"""The chain report as a page: one self-contained HTML document (inline CSS and SVG, no script).

Per job, in chain order, a stacked bar of its objects in five categories read from the job's
LabelCounters (the numbers `gtchain chain status` shows): labeled by people (HumanLabeled), by
machine (MachineLabeled), inherited from the parent (TotalLabeled - HumanLabeled -
MachineLabeled: objects that arrived labeled and were not sent to workers), failed
(FailedNonRetryableError) and left unlabeled (Unlabeled); they add up to the job's objects.
Money comes from the chain's cost figures (domain.cost, ChainCost.to_dict()); the chain's
outcome from the consolidated final manifest once the chain is finalized, else from its last job.

Links: a manifest is shown as its s3:// URI (what `aws s3 cp` takes) and links to the S3
console page of the object, the one place a browser can open it with the viewer's own AWS sign-in
(the page holds no credentials and must not: it is written to the bucket and mailed around).
Those console links are the only URLs in the page; nothing is fetched when it is viewed.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from gtchain_runtime.domain.layout import input_manifest_uri, output_manifest_uri


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    short: str  # the table's column heading
    colour: str


# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies); the two
# kinds of new labels are saturated, inherited labels a light tint, what is missing warm or grey.
CATEGORIES = (
    Category("human", "Labeled by people", "People", "#0072B2"),
    Category("machine", "Labeled by machine", "Machine", "#009E73"),
    Category("inherited", "Inherited (arrived labeled)", "Inherited", "#9BD0F0"),
    Category("failed", "Failed", "Failed", "#D55E00"),
    Category("unlabeled", "Left unlabeled", "Left", "#CFCFCF"),
)


class ReportPageError(ValueError):
    """Report data the page cannot show truthfully."""


@dataclass(frozen=True)
class JobBar:
    job_name: str
    status: str
    human: int
    machine: int
    inherited: int
    failed: int
    unlabeled: int
    input_manifest_uri: str | None
    output_manifest_uri: str | None
    spent_usd: str | None
    saved_usd: str | None
    decision: str | None = None

    def count(self, category: Category) -> int:
        return int(getattr(self, category.key))

    @property
    def objects(self) -> int:
        return sum(self.count(category) for category in CATEGORIES)

    @property
    def labeled(self) -> int:
        return self.human + self.machine + self.inherited


@dataclass(frozen=True)
class ChainOutcome:
    """Where the chain's objects stand: in the final manifest, or in the last job so far."""

    objects: int
    labeled: int
    failed: int
    unlabeled: int


@dataclass(frozen=True)
class ChainReportPage:
    root: str
    region: str
    jobs: tuple[JobBar, ...]
    outcome: ChainOutcome
    human_labeled: int
    machine_labeled: int
    never_resent: int
    spent_usd: str | None
    saved_usd: str | None
    unpriced_jobs: tuple[str, ...]
    final_manifest_uri: str | None
    generated_at: datetime  # in UTC


def _counter(counters: Mapping[str, Any], name: str, job: str) -> int:
    value = counters.get(name, 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ReportPageError(f"job {job}: LabelCounters.{name} is {value!r}; expected a count >= 0")
    return value


def job_bar(describe: Mapping[str, Any], cost: Mapping[str, Any], decision: str | None = None) -> JobBar:
    """One job's bar from its DescribeLabelingJob answer and its row of ChainCost.to_dict()."""
    name = str(describe.get("LabelingJobName", "?"))
    counters = describe.get("LabelCounters") or {}
    human, machine = _counter(counters, "HumanLabeled", name), _counter(counters, "MachineLabeled", name)
    total_labeled = _counter(counters, "TotalLabeled", name)
    if total_labeled < human + machine:
        raise ReportPageError(
            f"job {name}: LabelCounters.TotalLabeled {total_labeled} is below HumanLabeled + "
            f"MachineLabeled ({human + machine})"
        )
    return JobBar(
        job_name=name,
        status=str(describe.get("LabelingJobStatus", "?")),
        human=human,
        machine=machine,
        inherited=total_labeled - human - machine,
        failed=_counter(counters, "FailedNonRetryableError", name),
        unlabeled=_counter(counters, "Unlabeled", name),
        input_manifest_uri=_uri_or_none(input_manifest_uri, describe),
        output_manifest_uri=_uri_or_none(output_manifest_uri, describe),
        spent_usd=cost.get("spent_usd"),
        saved_usd=cost.get("saved_usd"),
        decision=decision,
    )


def _uri_or_none(read: Any, describe: Mapping[str, Any]) -> str | None:
    try:
        return str(read(describe))
    except (KeyError, ValueError):  # a streaming job has no input manifest
        return None


def chain_report_page(
    describes: Sequence[Mapping[str, Any]],
    cost: Mapping[str, Any],
    *,
    generated_at: datetime,
    decisions: Mapping[str, str] | None = None,
    final_totals: Mapping[str, Any] | None = None,
    final_manifest_uri: str | None = None,
) -> ChainReportPage:
    """The page of a chain: its jobs' descriptions root first, its ChainCost.to_dict(), and, once
    finalized, the consolidated report's "totals" and the final manifest's URI."""
    if not describes:
        raise ReportPageError("a chain report needs at least one job")
    cost_rows = cost.get("jobs", [])
    if len(cost_rows) != len(describes):
        raise ReportPageError(f"cost figures for {len(cost_rows)} jobs, but the chain has {len(describes)}")
    decisions = decisions or {}
    jobs = tuple(
        job_bar(describe, row, decisions.get(str(describe.get("LabelingJobName"))))
        for describe, row in zip(describes, cost_rows, strict=True)
    )
    if final_totals is not None:
        outcome = ChainOutcome(
            objects=int(final_totals["total"]),
            labeled=int(final_totals["labeled"]),
            failed=int(final_totals["failed"]),
            unlabeled=int(final_totals["unlabeled"]),
        )
    else:
        last = jobs[-1]
        outcome = ChainOutcome(last.objects, last.labeled, last.failed, last.unlabeled)
    total = cost.get("total", {})
    return ChainReportPage(
        root=jobs[0].job_name,
        region=_region(describes[0]),
        jobs=jobs,
        outcome=outcome,
        human_labeled=sum(job.human for job in jobs),
        machine_labeled=sum(job.machine for job in jobs),
        never_resent=int(total.get("never_resent", 0)),
        spent_usd=total.get("spent_usd"),
        saved_usd=total.get("saved_usd"),
        unpriced_jobs=tuple(total.get("unpriced_jobs", ())),
        final_manifest_uri=final_manifest_uri,
        generated_at=_in_utc(generated_at),
    )


def _in_utc(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ReportPageError(
            f"report time {moment.isoformat()} has no time zone, so it cannot be shown in UTC"
        )
    return moment.astimezone(UTC)


def _region(describe: Mapping[str, Any]) -> str:
    """arn:<partition>:sagemaker:<region>:<account>:labeling-job/<name>"""
    parts = str(describe.get("LabelingJobArn", "")).split(":")
    return parts[3] if len(parts) > 3 and parts[3] else "us-east-1"


# ---------------------------------------------------------------------------------------------
# Rendering

_CONSOLE_BY_REGION_PREFIX = (
    ("cn-", "https://console.amazonaws.cn"),
    ("us-gov-", "https://console.amazonaws-us-gov.com"),
)
_CONSOLE = "https://s3.console.aws.amazon.com"


def s3_console_url(uri: str, region: str) -> str | None:
    """The S3 console page of an s3://bucket/key object, or None for anything else."""
    if not uri.startswith("s3://"):
        return None
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket or not key:
        return None
    console = next((url for prefix, url in _CONSOLE_BY_REGION_PREFIX if region.startswith(prefix)), _CONSOLE)
    query = f"region={quote(region, safe='')}&prefix={quote(key, safe='')}"
    return f"{console}/s3/object/{quote(bucket, safe='')}?{query}"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _n(value: int) -> str:
    return f"{value:,}"


def _money(value: str | None) -> str:
    return "n/a" if value is None else f"${value}"


# English month names whatever the locale the page is rendered under.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _report_time(moment: datetime) -> str:
    """A UTC moment to the minute for people ("3 Dec 2026, 15:58 UTC"), in a <time> element that
    keeps the machine-readable form."""
    shown = f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M} UTC"
    return f'<time datetime="{moment:%Y-%m-%dT%H:%MZ}">{shown}</time>'


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0%"


def _manifest_link(uri: str | None, region: str, label: str) -> str:
    if not uri:
        return '<span class="muted">none</span>'
    url = s3_console_url(uri, region)
    text = f'<span class="kind">{_e(label)}</span> <code>{_e(uri)}</code>'
    return f'<a href="{_e(url)}" title="Open in the S3 console">{text}</a>' if url else text


_CHART_WIDTH = 1000
_NAME_HEIGHT = 22
_BAR_HEIGHT = 28
_ROW_GAP = 18
_MIN_WIDTH_FOR_NUMBER = 46


def _bar_svg(page: ChainReportPage) -> str:
    """Stacked horizontal bars on one scale (the largest job spans the chart's width)."""
    widest = max((job.objects for job in page.jobs), default=0) or 1
    row_height = _NAME_HEIGHT + _BAR_HEIGHT + _ROW_GAP
    height = row_height * len(page.jobs)
    rows = []
    for index, job in enumerate(page.jobs):
        top = index * row_height
        rows.append(
            f'<g class="job" aria-label="{_e(_job_summary(job))}">'
            f'<text x="0" y="{top + 15}" class="name">{_e(job.job_name)}</text>'
            f'<text x="{_CHART_WIDTH}" y="{top + 15}" class="meta" text-anchor="end">'
            f"{_e(job.status)} · {_n(job.objects)} objects</text>"
            f"{_segments(job, top + _NAME_HEIGHT, widest)}</g>"
        )
    return (
        f'<svg class="chart" viewBox="0 0 {_CHART_WIDTH} {max(height - _ROW_GAP, 1)}" role="img" '
        f'aria-labelledby="chart-title chart-desc">'
        f'<title id="chart-title">Objects of each job of chain {_e(page.root)} by label status</title>'
        f'<desc id="chart-desc">{_e("; ".join(_job_summary(job) for job in page.jobs))}</desc>'
        f"{''.join(rows)}</svg>"
    )


def _segments(job: JobBar, y: int, widest: int) -> str:
    if not job.objects:
        return (
            f'<rect x="0" y="{y}" width="{_CHART_WIDTH}" height="{_BAR_HEIGHT}" class="empty"/>'
            f'<text x="8" y="{y + 19}" class="inbar dark">no objects counted yet</text>'
        )
    parts, x = [], 0.0
    for category in CATEGORIES:
        count = job.count(category)
        if not count:
            continue
        width = _CHART_WIDTH * count / widest
        tone = "dark" if category.key in ("inherited", "unlabeled") else "light"
        number = (
            f'<text x="{x + width / 2:.1f}" y="{y + 19}" class="inbar {tone}" text-anchor="middle">'
            f"{_n(count)}</text>"
            if width >= _MIN_WIDTH_FOR_NUMBER
            else ""
        )
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{_BAR_HEIGHT}" fill="{category.colour}" '
            f'data-category="{category.key}" data-count="{count}">'
            f"<title>{_e(category.label)}: {_n(count)}</title></rect>{number}"
        )
        x += width
    return "".join(parts)


def _job_summary(job: JobBar) -> str:
    counts = ", ".join(f"{category.label.lower()} {_n(job.count(category))}" for category in CATEGORIES)
    return f"{job.job_name} ({job.status}): {counts}"


def _legend() -> str:
    items = "".join(
        f'<li><span class="swatch" style="background:{category.colour}"></span>{_e(category.label)}</li>'
        for category in CATEGORIES
    )
    return f'<ul class="legend" aria-label="Legend">{items}</ul>'


def _table(page: ChainReportPage) -> str:
    head = "".join(
        f'<th scope="col" class="num"><span class="swatch" style="background:{category.colour}"></span>'
        f"{_e(category.short)}</th>"
        for category in CATEGORIES
    )
    rows = []
    for job in page.jobs:
        cells = "".join(f'<td class="num">{_n(job.count(category))}</td>' for category in CATEGORIES)
        decision = f" · gtchain: {_e(job.decision)}" if job.decision else ""
        rows.append(
            f'<tr><th scope="row"><div class="job">{_e(job.job_name)}</div>'
            f'<div class="muted">{_e(job.status)}{decision}</div></th>{cells}'
            f'<td class="num">{_n(job.objects)}</td><td class="num">{_e(_money(job.spent_usd))}</td>'
            f'<td class="num">{_e(_money(job.saved_usd))}</td></tr>'
        )
    total_cells = (
        f'<td class="num">{_n(page.human_labeled)}</td><td class="num">{_n(page.machine_labeled)}</td>'
        f'<td class="num">{_n(page.never_resent)}</td><td></td><td></td><td></td>'
        f'<td class="num">{_e(_money(page.spent_usd))}</td><td class="num">{_e(_money(page.saved_usd))}</td>'
    )
    return (
        "<table><caption>Objects of each job by label status, and worker pay. The chain total adds up "
        "the labels each job produced and the objects that were never re-sent.</caption>"
        f'<thead><tr><th scope="col">Job</th>{head}<th scope="col" class="num">Objects</th>'
        '<th scope="col" class="num">Spent</th><th scope="col" class="num">Saved</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody>"
        f'<tfoot><tr><th scope="row">Chain total</th>{total_cells}</tr></tfoot></table>'
    )


def _manifests(page: ChainReportPage) -> str:
    items = "".join(
        f'<li><div class="job">{_e(job.job_name)}</div>'
        f"{_manifest_link(job.input_manifest_uri, page.region, 'input')}<br>"
        f"{_manifest_link(job.output_manifest_uri, page.region, 'output')}</li>"
        for job in page.jobs
    )
    final = (
        f'<li><div class="job">Final manifest of the chain</div>'
        f"{_manifest_link(page.final_manifest_uri, page.region, 'final')}</li>"
        if page.final_manifest_uri
        else ""
    )
    return f'<ul class="manifests">{items}{final}</ul>'


def _cards(page: ChainReportPage) -> str:
    outcome = page.outcome
    cards = [
        (
            "Labeled",
            f"{_n(outcome.labeled)} / {_n(outcome.objects)}",
            _percent(outcome.labeled, outcome.objects),
        ),
        ("Spent on worker pay", _money(page.spent_usd), f"{_n(page.human_labeled)} labels by people"),
        ("Saved by chaining", _money(page.saved_usd), f"{_n(page.never_resent)} objects never re-sent"),
        (
            "Failed / left unlabeled",
            f"{_n(outcome.failed)} / {_n(outcome.unlabeled)}",
            "in the final manifest" if page.final_manifest_uri else "in the last job so far",
        ),
    ]
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><div class="label">{_e(label)}</div><div class="value">{_e(value)}</div>'
            f'<div class="muted">{_e(note)}</div></div>'
            for label, value, note in cards
        )
        + "</div>"
    )


def _state_line(page: ChainReportPage) -> str:
    if page.final_manifest_uri:
        return (
            '<p class="state done"><strong>Finished.</strong> The labels of every job are consolidated '
            'into one <a href="#manifests-title">final manifest</a>.</p>'
        )
    return (
        '<p class="state open"><strong>Not finished yet.</strong> No final manifest so far: the '
        "figures are the jobs' own.</p>"
    )


_STYLE = """
:root{--ink:#1d2330;--muted:#5b6475;--line:#e3e6ec;--paper:#fff;--wash:#f6f7f9}
*{box-sizing:border-box}
body{margin:0;background:var(--wash);color:var(--ink);
 font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:32px 28px 48px}
h1{font-size:26px;margin:0 0 4px;letter-spacing:-.01em}
h2{font-size:17px;margin:32px 0 12px}
.muted{color:var(--muted);font-size:13px}
.state{margin:10px 0 0;padding:10px 14px;border-radius:8px;font-size:14px}
.state.done{background:#e8f4ee;border:1px solid #b7dcc8}
.state.open{background:#fff6e5;border:1px solid #f1d39a}
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:14px;margin-top:22px}
.card{background:var(--paper);border:1px solid var(--line);border-radius:10px;padding:14px 16px}
.card .label{font-size:13px;color:var(--muted)}
.card .value{font-size:24px;font-weight:650;font-variant-numeric:tabular-nums;margin:2px 0}
section{background:var(--paper);border:1px solid var(--line);border-radius:10px;padding:18px 20px;
 margin-top:18px}
section h2{margin-top:0}
.legend{list-style:none;padding:0;margin:0 0 16px;display:flex;flex-wrap:wrap;gap:8px 20px;font-size:13px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:6px;vertical-align:-1px;
 outline:1px solid rgba(0,0,0,.12)}
.chart{width:100%;height:auto;display:block}
.chart .name{font-size:15px;font-weight:600;fill:var(--ink)}
.chart .meta{font-size:13px;fill:var(--muted)}
.chart .inbar{font-size:13px;font-weight:600;font-variant-numeric:tabular-nums}
.chart .light{fill:#fff}.chart .dark{fill:#1d2330}
.chart rect{stroke:#fff;stroke-width:1}
.chart .empty{fill:var(--wash)}
table{width:100%;border-collapse:collapse;font-size:13.5px}
caption{text-align:left;color:var(--muted);font-size:13px;padding-bottom:8px}
th,td{padding:8px 10px;border-bottom:1px solid var(--line);vertical-align:top;text-align:left}
thead th{font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:var(--muted);font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tfoot th,tfoot td{font-weight:650;border-bottom:none;border-top:2px solid var(--ink)}
.job{font-weight:600;overflow-wrap:anywhere}
.manifests{list-style:none;padding:0;margin:0;display:grid;gap:12px;font-size:12.5px;line-height:1.7}
.manifests .job{font-size:14px}
main a{color:#0b5cad;text-decoration:none}
main a:hover{text-decoration:underline}
.kind{display:inline-block;min-width:48px;font-weight:600;color:var(--muted)}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
footer{margin-top:18px;color:var(--muted);font-size:12.5px}
@media (max-width:760px){.cards{grid-template-columns:repeat(2,1fr)}}
@media print{body{background:#fff}section,.card{break-inside:avoid}}
"""


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section aria-labelledby="{anchor}-title"><h2 id="{anchor}-title">{title}</h2>{body}</section>'


def render_report_html(page: ChainReportPage) -> str:
    """The whole page; every text from the jobs (names, statuses, URIs) is HTML-escaped."""
    unpriced = (
        f" No price is known for {_e(', '.join(page.unpriced_jobs))}: "
        "their labels are not in the money figures."
        if page.unpriced_jobs
        else ""
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Labeling chain {_e(page.root)}: gtchain report</title><style>{_STYLE}</style></head>"
        f'<body><main><header><h1>Labeling chain <span class="root">{_e(page.root)}</span></h1>'
        f'<div class="muted">{len(page.jobs)} job{"s" if len(page.jobs) != 1 else ""} · '
        f"region {_e(page.region)} · report of {_report_time(page.generated_at)}</div>"
        f"{_state_line(page)}</header>{_cards(page)}"
        f"{_section('jobs', 'Jobs of the chain', _legend() + _bar_svg(page))}"
        f"{_section('numbers', 'The numbers', _table(page))}"
        f"{_section('manifests', 'Manifests', _manifests(page))}"
        "<footer>Worker pay only: spent = labels by people &times; price per object; saved = objects that "
        "arrived labeled and were never re-sent &times; the price of the job that would have "
        "re-labeled them. "
        f"Ground Truth's own per-object charge and automated-labeling training are not included.{unpriced} "
        "Manifest links open the S3 console (sign-in required).</footer>"
        "</main></body></html>\n"
    )
