"""The adoption start against moto: recorded once by the first sweep, respected by the sweep and
the rule, overridden by the configuration, and the sweep's dry run that writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest

from gtchain.sandbox.faults import faults
from gtchain_runtime.domain.cost import price_per_object
from gtchain_runtime.domain.labeling_job import LabelingJob
from gtchain_runtime.handlers import inspect_job, sweep_jobs
from gtchain_runtime.handlers.observability import chain_context
from gtchain_runtime.usecases.inspect import inspect_job as inspect_any_job
from gtchain_runtime.usecases.sweep_forecast import forecast_sweep
from tests.support.handler_env import BUCKET, REGION, TABLE, FakeContext, ProjectAws, state_change_event

OLD = "Streetscenes-Before"
NEW = "Streetscenes-After"


def _stopped(project: ProjectAws, name: str, *, aged: timedelta | None = None) -> dict[str, Any]:
    from gtchain.sandbox.groundtruth import JobBehaviour, workforce

    workforce().configure(name, JobBehaviour(stop_after=30))
    project.create_root_job(name, 50)
    workforce().run_until_idle()
    if aged is not None:  # it ended that long before gtchain's ledger was created
        faults().age_job(name, aged)
    return dict(project.sagemaker.describe_labeling_job(LabelingJobName=name))


def _after_the_grace_period() -> Any:
    ctx = chain_context()
    ctx.clock = lambda: datetime.now(UTC) + timedelta(hours=1)
    return ctx


def _ledger_created() -> datetime:
    created = boto3.client("dynamodb", region_name=REGION).describe_table(TableName=TABLE)["Table"]
    return created["CreationDateTime"].astimezone(UTC)


def test_the_first_sweep_records_the_deploy_once_and_leaves_older_jobs_alone(project_aws: ProjectAws) -> None:
    _stopped(project_aws, OLD, aged=timedelta(days=2))
    _stopped(project_aws, NEW)
    ctx = _after_the_grace_period()

    first = sweep_jobs.handler({}, FakeContext())
    assert first["started"] == [NEW]
    assert "before the adoption start" in first["skipped"][OLD]
    assert f"gtchain job resume {OLD}" in first["skipped"][OLD]
    adoption = first["adoption_start"]
    assert adoption["source"] == "first-deploy" and adoption["recorded_now"] is True
    assert datetime.fromisoformat(adoption["at"]) == _ledger_created()

    second = sweep_jobs.handler({}, FakeContext())
    assert second["adoption_start"]["recorded_now"] is False
    assert second["adoption_start"]["at"] == adoption["at"]
    record = ctx.ledger.adoption_start()
    assert record is not None and (record["adopted_after"], record["source"]) == (
        adoption["at"],
        "first-deploy",
    )


def test_a_second_record_loses_to_the_first() -> None:
    # Two first sweeps at once: the conditional put lets one write; both then read its value.
    from moto import mock_aws

    from gtchain_runtime.adapters.ledger import Ledger

    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(
            TableName="t",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("job_name", "record")],
            KeySchema=[
                {"AttributeName": "job_name", "KeyType": "HASH"},
                {"AttributeName": "record", "KeyType": "RANGE"},
            ],
        )
        ledger = Ledger(client, "t")
        assert ledger.record_adoption_start("2026-12-07T12:00:00+00:00", "first-deploy") is True
        assert ledger.record_adoption_start("2026-12-07T13:00:00+00:00", "configuration") is False
        record = ledger.adoption_start()
        assert record is not None and record["adopted_after"] == "2026-12-07T12:00:00+00:00"


def test_the_rule_ignores_a_job_that_ended_before_the_start_once_and_resume_still_takes_it(
    project_aws: ProjectAws,
) -> None:
    old = _stopped(project_aws, OLD, aged=timedelta(days=2))
    ctx = _after_the_grace_period()
    # Before any sweep recorded a start (and without a configured one) the rule handles the job.
    event = state_change_event(old["LabelingJobArn"], "Stopped", "event-1")
    assert inspect_job.handler(event, FakeContext())["relevant"] is True
    sweep_jobs.handler({}, FakeContext())

    for event_id in ("event-2", "event-3"):
        inspection = inspect_job.handler(
            state_change_event(old["LabelingJobArn"], "Stopped", event_id), FakeContext()
        )
        assert inspection["relevant"] is False
        assert "before the adoption start" in inspection["reason"]
    ignored = ctx.ledger.ignored(OLD)
    assert ignored is not None and ignored["execution"] == "event-2"  # recorded once
    assert ctx.ledger.decision(OLD) is None  # not a decision: a person may still resume it
    # `gtchain job resume|plan` inspect without the adoption start, on purpose.
    assert inspect_any_job(ctx, OLD).relevant is True


def test_a_configured_earlier_time_lets_the_sweep_start_older_jobs(project_aws: ProjectAws) -> None:
    _stopped(project_aws, OLD, aged=timedelta(days=2))
    ctx = _after_the_grace_period()
    configured = datetime.now(UTC) - timedelta(days=3)
    ctx.settings = ctx.settings.model_copy(update={"adopt_jobs_ended_after": configured})

    result = sweep_jobs.handler({}, FakeContext())
    assert result["started"] == [OLD]
    assert result["adoption_start"]["source"] == "configuration"
    record = ctx.ledger.adoption_start()
    assert record is not None and record["source"] == "configuration"
    assert datetime.fromisoformat(record["adopted_after"]) == configured


def _everything_written(project: ProjectAws, state_machine_arn: str) -> tuple[Any, ...]:
    items = project.dynamodb.scan(TableName=TABLE)["Items"]
    keys = [o["Key"] for o in project.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    executions = boto3.client("stepfunctions", region_name=REGION).list_executions(
        stateMachineArn=state_machine_arn
    )["executions"]
    return (sorted(str(item) for item in items), sorted(keys), len(executions))


@pytest.mark.parametrize("price", [None, Decimal("0.08")])
def test_the_dry_run_forecasts_the_sweep_and_writes_nothing(
    project_aws: ProjectAws, price: Decimal | None
) -> None:
    _stopped(project_aws, OLD, aged=timedelta(days=2))
    new = _stopped(project_aws, NEW)
    ctx = _after_the_grace_period()
    ctx.settings = ctx.settings.model_copy(update={"price_per_object_usd": price})
    before = _everything_written(project_aws, str(ctx.settings.state_machine_arn))

    forecast = forecast_sweep(ctx)

    assert _everything_written(project_aws, str(ctx.settings.state_machine_arn)) == before
    assert forecast["adoption_start"]["recorded"] is None  # shown, not written
    assert forecast["adoption_start"]["source"] == "first-deploy"
    (left,) = forecast["left_alone"]
    assert left["job_name"] == OLD and "before the adoption start" in left["reason"]
    (start,) = forecast["would_start"]
    assert (start["job_name"], start["decision"]) == (NEW, "CHAIN")
    pay = start["forecast"]
    assert (pay["remaining_objects"], pay["objects_to_pay"]) == (20, 20)
    # The fixture's jobs run on the public crowd: the task price, whatever the project's price.
    per_object = price_per_object(LabelingJob.from_describe(new), price)
    assert per_object is not None
    assert pay["worker_pay_usd"] == str((per_object * 20).quantize(Decimal("0.01")))
    assert forecast["total"]["jobs_to_chain"] == 1 and forecast["total"]["objects_to_pay"] == 20
    # The real sweep then does what the dry run said.
    assert sweep_jobs.handler({}, FakeContext())["started"] == [NEW]
