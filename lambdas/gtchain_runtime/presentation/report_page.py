"""The chain report page rendered: a Jinja template with autoescaping, its CSS inlined.

The view model is the domain's (domain.report_page.ChainReportPage); here only what a browser
needs: the bars' geometry, numbers and times for people, and the S3 console links. The page is
one self-contained document (inline CSS and SVG, no script): the template and the stylesheet are
package data (`presentation/templates/`), read from the installed package.

Links: a manifest is shown as its s3:// URI (what `aws s3 cp` takes) and links to the S3
console page of the object, the one place a browser can open it with the viewer's own AWS sign-in
(the page holds no credentials and must not: it is written to the bucket and mailed around).
Those console links are the only URLs in the page; nothing is fetched when it is viewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from gtchain_runtime.domain.aws_ids import S3UriError, split_s3_uri
from gtchain_runtime.domain.cost import money
from gtchain_runtime.domain.report_page import CATEGORIES, Category, ChainReportPage, JobBar

TEMPLATES = Path(__file__).resolve().parent / "templates"

_CONSOLE_BY_REGION_PREFIX = (
    ("cn-", "https://console.amazonaws.cn"),
    ("us-gov-", "https://console.amazonaws-us-gov.com"),
)
_CONSOLE = "https://s3.console.aws.amazon.com"
# English month names whatever the locale the page is rendered under.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

CHART_WIDTH = 1000
NAME_HEIGHT = 22
BAR_HEIGHT = 28
ROW_GAP = 18
MIN_WIDTH_FOR_NUMBER = 46


def s3_console_url(uri: str, region: str) -> str | None:
    """The S3 console page of an s3://bucket/key object, or None for anything else."""
    try:
        bucket, key = split_s3_uri(uri, check_bucket_name=False)
    except S3UriError:
        return None
    console = next((url for prefix, url in _CONSOLE_BY_REGION_PREFIX if region.startswith(prefix)), _CONSOLE)
    query = f"region={quote(region, safe='')}&prefix={quote(key, safe='')}"
    return f"{console}/s3/object/{quote(bucket, safe='')}?{query}"


@dataclass(frozen=True)
class Segment:
    """One category's part of a job's bar."""

    category: Category
    count: int
    x: float
    width: float

    @property
    def shows_number(self) -> bool:
        return self.width >= MIN_WIDTH_FOR_NUMBER

    @property
    def tone(self) -> str:
        return "dark" if self.category.key in ("inherited", "unlabeled") else "light"


@dataclass(frozen=True)
class BarRow:
    job: JobBar
    top: int
    segments: tuple[Segment, ...]


def bar_rows(page: ChainReportPage) -> tuple[BarRow, ...]:
    """Stacked horizontal bars on one scale (the largest job spans the chart's width)."""
    widest = max((job.objects for job in page.jobs), default=0) or 1
    row_height = NAME_HEIGHT + BAR_HEIGHT + ROW_GAP
    rows = []
    for index, job in enumerate(page.jobs):
        segments, x = [], 0.0
        for category in CATEGORIES:
            count = job.count(category)
            if count:
                width = CHART_WIDTH * count / widest
                segments.append(Segment(category, count, x, width))
                x += width
        rows.append(BarRow(job, index * row_height, tuple(segments)))
    return tuple(rows)


def job_summary(job: JobBar) -> str:
    counts = ", ".join(f"{category.label.lower()} {job.count(category):,}" for category in CATEGORIES)
    return f"{job.job_name} ({job.status}): {counts}"


def report_time(moment: datetime) -> Markup:
    """A UTC moment to the minute for people ("3 Dec 2026, 15:58 UTC"), in a <time> element that
    keeps the machine-readable form."""
    shown = f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M} UTC"
    return Markup('<time datetime="{}">{}</time>').format(f"{moment:%Y-%m-%dT%H:%MZ}", shown)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0%"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(number=lambda value: f"{value:,}", money=money)
    environment.globals.update(
        categories=CATEGORIES,
        console_url=s3_console_url,
        job_summary=job_summary,
        percent=_percent,
        report_time=report_time,
        chart_width=CHART_WIDTH,
        name_height=NAME_HEIGHT,
        bar_height=BAR_HEIGHT,
        row_gap=ROW_GAP,
    )
    return environment


def render_report_html(page: ChainReportPage) -> str:
    """The whole page; every text from the jobs (names, statuses, URIs) is HTML-escaped."""
    # The stylesheet is the package's own file, not data: inlined as it is.
    style = Markup((TEMPLATES / "report.css").read_text(encoding="utf-8"))
    rows = bar_rows(page)
    chart_height = max((NAME_HEIGHT + BAR_HEIGHT + ROW_GAP) * len(rows) - ROW_GAP, 1)
    return (
        _environment()
        .get_template("report.html.j2")
        .render(page=page, rows=rows, chart_height=chart_height, style=style)
    )
