"""The adoption start (jobs that ended before it are not gtchain's to resume on its own) and the
worker-pay forecast of the sweep's dry run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from gtchain_cdk.config import ConfigError, parse_projects
from gtchain_runtime.domain.adoption import (
    AdoptionStart,
    AdoptionStartError,
    as_utc,
    effective_adoption_start,
    ended_before_adoption,
    first_adoption_start,
    forecast_pay,
    job_ended_at,
)
from gtchain_runtime.settings import settings_from

DEPLOYED = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
WEEK_AGO = DEPLOYED - timedelta(days=7)


def test_times_must_carry_a_zone_and_are_kept_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    assert as_utc(datetime(2026, 12, 7, 13, 0, tzinfo=paris), "t") == DEPLOYED
    assert as_utc("2026-12-07T12:00:00Z", "t") == DEPLOYED
    with pytest.raises(AdoptionStartError, match="t: 2026-12-07T12:00:00 has no time zone"):
        as_utc("2026-12-07T12:00:00", "t")
    with pytest.raises(AdoptionStartError, match="'yesterday' is not an ISO 8601"):
        as_utc("yesterday", "t")


def test_the_first_start_is_the_configured_time_else_the_ledgers_creation() -> None:
    assert first_adoption_start(None, DEPLOYED) == AdoptionStart(DEPLOYED, "first-deploy")
    assert first_adoption_start(WEEK_AGO, DEPLOYED) == AdoptionStart(WEEK_AGO, "configuration")


def test_a_configured_time_overrides_the_recorded_one() -> None:
    recorded = AdoptionStart(DEPLOYED, "first-deploy")
    assert effective_adoption_start(None, recorded) == recorded
    assert effective_adoption_start(WEEK_AGO, recorded) == AdoptionStart(WEEK_AGO, "configuration")
    assert effective_adoption_start(None, None) is None


def test_a_job_that_ended_before_the_start_is_left_alone_with_the_way_to_resume_it() -> None:
    start = AdoptionStart(DEPLOYED, "first-deploy")
    reason = ended_before_adoption("Streetscenes-Old", DEPLOYED - timedelta(seconds=1), start)
    assert reason is not None
    assert "before the adoption start 2026-12-07T12:00:00+00:00" in reason
    assert "gtchain's first deploy" in reason and "`gtchain job resume Streetscenes-Old`" in reason
    configured = ended_before_adoption(
        "J", WEEK_AGO - timedelta(days=1), AdoptionStart(WEEK_AGO, "configuration")
    )
    assert configured is not None and "adopt_jobs_ended_after" in configured
    # At or after the start, or with no start known yet: gtchain's to handle.
    assert ended_before_adoption("J", DEPLOYED, start) is None
    assert ended_before_adoption("J", DEPLOYED + timedelta(hours=1), start) is None
    assert ended_before_adoption("J", WEEK_AGO, None) is None


def test_a_job_ended_at_its_last_modified_time() -> None:
    job = {"LabelingJobName": "J", "LastModifiedTime": "2026-12-07T12:00:00+00:00", "CreationTime": "x"}
    assert job_ended_at(job) == DEPLOYED
    assert job_ended_at({**job, "LastModifiedTime": DEPLOYED}) == DEPLOYED
    with pytest.raises(AdoptionStartError, match="labeling job J: no LastModifiedTime"):
        job_ended_at({"LabelingJobName": "J"})


def test_a_record_round_trips_and_a_bad_source_is_named() -> None:
    start = AdoptionStart(DEPLOYED, "first-deploy")
    assert AdoptionStart.from_record({"adopted_after": start.at.isoformat(), "source": start.source}) == start
    with pytest.raises(AdoptionStartError, match="source 'someone'"):
        AdoptionStart.from_record({"adopted_after": start.at.isoformat(), "source": "someone"})


def test_the_pay_forecast_is_price_times_remaining_objects_capped_by_the_budget() -> None:
    uncapped = forecast_pay(250, Decimal("0.08"), None)
    assert (uncapped.objects_to_pay, uncapped.worker_pay_usd) == (250, Decimal("20.00"))
    capped = forecast_pay(250, Decimal("0.08"), 100)
    assert (capped.objects_to_pay, capped.worker_pay_usd) == (100, Decimal("8.00"))
    assert capped.to_dict() == {
        "remaining_objects": 250,
        "objects_to_pay": 100,
        "budget_left": 100,
        "price_per_object_usd": "0.08",
        "worker_pay_usd": "8.00",
    }
    assert forecast_pay(3, Decimal("0.005"), None).to_dict()["worker_pay_usd"] == "0.02"  # half up
    unpriced = forecast_pay(250, None, None)
    assert unpriced.worker_pay_usd is None and unpriced.to_dict()["worker_pay_usd"] is None
    with pytest.raises(ValueError, match="negative counts"):
        forecast_pay(-1, None, None)


def _project(**policy: object) -> dict[str, object]:
    return {
        "projects": [
            {
                "name": "streetscenes",
                "job_name_prefix": "Streetscenes",
                "labeling_role_arn": "arn:aws:iam::123456789012:role/GroundTruthLabelingRole",
                "policy": policy,
            }
        ]
    }


def test_the_option_needs_a_time_zone_and_reaches_the_lambdas_as_iso_text() -> None:
    (project,) = parse_projects(_project(adopt_jobs_ended_after="2026-11-30T00:00:00Z"))
    assert project.policy.adopt_jobs_ended_after == datetime(2026, 11, 30, tzinfo=UTC)
    with pytest.raises(ConfigError, match=r"projects\[0\]\.policy\.adopt_jobs_ended_after: .*timezone"):
        parse_projects(_project(adopt_jobs_ended_after="2026-11-30T00:00:00"))
    environ = {
        "PROJECT_NAME": "p",
        "JOB_NAME_PREFIX": "P",
        "BUCKET_NAME": "b",
        "LEDGER_TABLE_NAME": "t",
        "TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:t",
        "LABELING_ROLE_ARN": "arn:aws:iam::123456789012:role/r",
    }
    assert settings_from({**environ, "ADOPT_JOBS_ENDED_AFTER": ""}).adopt_jobs_ended_after is None
    iso = datetime(2026, 11, 30, tzinfo=UTC).isoformat()
    parsed = settings_from({**environ, "ADOPT_JOBS_ENDED_AFTER": iso}).adopt_jobs_ended_after
    assert parsed == datetime(2026, 11, 30, tzinfo=UTC)
