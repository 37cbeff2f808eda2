"""The chain report page (domain.report_page, presentation.report_page): numbers, escaping,
categories, no network."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest

from gtchain_runtime.domain.report_page import CATEGORIES, ReportPageError, chain_report_page
from gtchain_runtime.presentation.report_page import render_report_html, s3_console_url
from tests.support.report import FINAL_MANIFEST, chain_cost_dict, chain_describes, finished_page, jobs_of

NOW = datetime(2026, 12, 3, 15, 58, 43, 963398, tzinfo=UTC)


class _Bars(HTMLParser):
    """The SVG bar segments (data-category, data-count) and every href/src of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.segments: list[tuple[str, int]] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "rect" and found.get("data-category"):
            self.segments.append((str(found["data-category"]), int(str(found["data-count"]))))
        self.urls += [str(value) for name, value in attrs if name in ("href", "src") and value]


def parsed(page_html: str) -> _Bars:
    bars = _Bars()
    bars.feed(page_html)
    return bars


def test_each_job_is_split_into_the_five_categories_that_add_up_to_its_objects() -> None:
    page = finished_page()
    assert [(job.human, job.machine, job.inherited, job.failed, job.unlabeled) for job in page.jobs] == [
        (1000, 0, 0, 0, 2547),
        (2412, 0, 1000, 35, 100),
        (41, 94, 3412, 0, 0),
    ]
    assert all(job.objects == 3547 for job in page.jobs)


def test_the_bars_carry_every_nonzero_count_in_chain_order() -> None:
    segments = parsed(render_report_html(finished_page())).segments
    assert segments == [
        ("human", 1000),
        ("unlabeled", 2547),
        ("human", 2412),
        ("inherited", 1000),
        ("failed", 35),
        ("unlabeled", 100),
        ("human", 41),
        ("machine", 94),
        ("inherited", 3412),
    ]


def test_the_page_states_totals_money_and_every_manifest() -> None:
    page_html = render_report_html(finished_page())
    for text in ("3,547 / 3,547", "$372.92", "$476.50", "4,412 objects never re-sent", "3,453", "$260.50"):
        assert text in page_html, text
    for category in CATEGORIES:
        assert category.label in page_html
    for describe in chain_describes():
        assert describe["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"] in page_html
        assert describe["LabelingJobOutput"]["OutputDatasetS3Uri"] in page_html
    assert FINAL_MANIFEST in page_html
    assert '<html lang="en">' in page_html and "<title>" in page_html and 'role="img"' in page_html


def test_the_only_links_are_s3_console_pages_of_the_manifests() -> None:
    page_html = render_report_html(finished_page())
    urls = parsed(page_html).urls
    manifests = [url for url in urls if not url.startswith("#")]
    assert len(manifests) == 3 * 2 + 1
    assert all(url.startswith("https://s3.console.aws.amazon.com/s3/object/") for url in manifests)
    without_links = re.sub(r'href="[^"]*"', "", page_html)
    assert not re.search(r"https?://|//cdn|@import|url\(", without_links)
    assert "<script" not in page_html


def test_job_names_and_statuses_are_escaped() -> None:
    describes = chain_describes()
    describes[1]["LabelingJobName"] = '<script>alert("x")</script>'
    describes[1]["LabelingJobStatus"] = "Stopped & <b>"
    page = chain_report_page(jobs_of(describes), chain_cost_dict(describes), generated_at=NOW)
    page_html = render_report_html(page)
    assert "<script>" not in page_html and "<b>" not in page_html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page_html
    assert "Stopped &amp; &lt;b&gt;" in page_html


def test_an_unfinished_chain_shows_its_last_job_and_no_final_manifest() -> None:
    describes = chain_describes()[:2]
    page = chain_report_page(jobs_of(describes), chain_cost_dict(describes), generated_at=NOW)
    assert (page.outcome.objects, page.outcome.labeled, page.outcome.failed) == (3547, 3412, 35)
    page_html = render_report_html(page)
    assert "Not finished yet" in page_html and "/final/" not in page_html


def test_unpriced_jobs_show_no_amount_and_are_named() -> None:
    describes = chain_describes()
    cost = chain_cost_dict(describes)
    cost["total"] |= {
        "spent_usd": None,
        "saved_usd": None,
        "unpriced_jobs": [describes[0]["LabelingJobName"]],
    }
    page_html = render_report_html(chain_report_page(jobs_of(describes), cost, generated_at=NOW))
    assert "No price is known for Streetscenes-Job1" in page_html
    assert page_html.count(">n/a<") == 4  # spent and saved, in the cards and the table's total


def test_counters_that_do_not_add_up_are_shown_as_such_by_name() -> None:
    describes = chain_describes()
    describes[0]["LabelCounters"] = {"TotalLabeled": 5, "HumanLabeled": 9}
    page = chain_report_page(jobs_of(describes), chain_cost_dict(describes), generated_at=NOW)
    assert page.jobs[0].inherited == 0
    page_html = render_report_html(page)
    assert (
        "LabelCounters do not add up: TotalLabeled 5 is below HumanLabeled + MachineLabeled (9)" in page_html
    )


def test_cost_figures_must_cover_every_job() -> None:
    describes = chain_describes()
    with pytest.raises(ReportPageError, match="cost figures for 2 jobs, but the chain has 3"):
        chain_report_page(jobs_of(describes), chain_cost_dict(describes[:2]), generated_at=NOW)


@pytest.mark.parametrize(
    ("moment", "shown", "machine"),
    [
        (NOW, "3 Dec 2026, 15:58 UTC", "2026-12-03T15:58Z"),
        # Another zone is shown in UTC: 00:30 in UTC+02:00 is the evening before.
        (
            datetime(2027, 1, 1, 0, 30, 59, tzinfo=timezone(timedelta(hours=2))),
            "31 Dec 2026, 22:30 UTC",
            "2026-12-31T22:30Z",
        ),
    ],
)
def test_the_report_time_is_shown_to_the_minute_in_utc(moment: datetime, shown: str, machine: str) -> None:
    describes = chain_describes()
    page_html = render_report_html(
        chain_report_page(jobs_of(describes), chain_cost_dict(describes), generated_at=moment)
    )
    assert f'report of <time datetime="{machine}">{shown}</time>' in page_html
    assert moment.isoformat() not in page_html


def test_a_report_time_without_a_time_zone_is_refused() -> None:
    describes = chain_describes()
    with pytest.raises(ReportPageError, match=r"report time 2026-12-03T15:58:00 has no time zone"):
        chain_report_page(
            jobs_of(describes), chain_cost_dict(describes), generated_at=datetime(2026, 12, 3, 15, 58)
        )


def test_console_links_follow_the_partition_and_quote_the_key() -> None:
    assert s3_console_url("s3://b/a b/c#d", "us-east-1") == (
        "https://s3.console.aws.amazon.com/s3/object/b?region=us-east-1&prefix=a%20b%2Fc%23d"
    )
    assert str(s3_console_url("s3://b/k", "cn-north-1")).startswith("https://console.amazonaws.cn/")
    assert s3_console_url("s3://bucket-only", "us-east-1") is None
    assert s3_console_url("https://elsewhere/k", "us-east-1") is None
