"""A first deploy spends nothing by surprise: two projects deployed with the real CDK CLI into the
sandbox, next to the tier's own stack.

- `adopt` (default adoption start): a job that ended before the deploy is not chained by the
  sweep nor by a late event; a job that ends after the deploy is chained as always.
- `backfill` (`policy.adopt_jobs_ended_after` a day before the deploy): the job that ended
  before the deploy is chained by the sweep, once.
- `gtchain chain sweep --dry-run [--json]` lists both with the reasons and the forecast, and
  changes nothing (no execution, no ledger item, no S3 object).

"Ended before the deploy": its events are lost (no rule existed to see them) and its
LastModifiedTime is moved two hours back (``faults.age_job``), past the sweep's 15-minute grace
period and before the ledger's creation, which is what gtchain compares.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gtchain.checkout_app import checkout_app
from gtchain.cli.main import _cli
from gtchain.demo.runner import ScenarioResult, ScenarioRunner
from gtchain.demo.scenarios import Scenario
from gtchain.sandbox import Sandbox
from gtchain.sandbox.groundtruth import JobBehaviour
from gtchain_runtime.adapters.ledger import Ledger
from tests.support.deployed_reads import listed_jobs
from tests.support.fault_play import put_state_change, wait_until

pytestmark = pytest.mark.e2e

ROLE = "arn:aws:iam::123456789012:role/GroundTruthLabelingRole"
OBJECTS, STOP_AFTER, PRICE = 200, 80, "0.08"
ENDED_BEFORE_DEPLOY = timedelta(hours=2)


def _scenario(root_job: str) -> Scenario:
    return Scenario(
        name=root_job,
        description=root_job,
        root_job=root_job,
        objects=OBJECTS,
        behaviour=JobBehaviour(stop_after=STOP_AFTER),
    )


OLD_ADOPT = _scenario("Adopted-Before")
NEW_ADOPT = _scenario("Adopted-After")
OLD_BACKFILL = _scenario("Backfill-Before")


def _project(name: str, prefix: str, **policy: Any) -> dict[str, Any]:
    return {
        "name": name,
        "job_name_prefix": prefix,
        "labeling_role_arn": ROLE,
        "policy": {"price_per_object_usd": float(PRICE), **policy},
    }


@dataclass
class FirstDeploy:
    runners: dict[str, ScenarioRunner]
    tables: dict[str, str]
    dry_runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    dry_run_text: str = ""
    written_before_dry_run: dict[str, Any] = field(default_factory=dict)
    written_after_dry_run: dict[str, Any] = field(default_factory=dict)
    sweeps: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    results: dict[str, ScenarioResult] = field(default_factory=dict)


def _cli_json(sandbox: Sandbox, stack: str, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        _cli, ["chain", "sweep", *args, "--json"], env={**sandbox.env, "GTCHAIN_STACK": stack}
    )
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output))


def _everything_written(sandbox: Sandbox, runner: ScenarioRunner, table: str) -> dict[str, Any]:
    items = sandbox.client("dynamodb").scan(TableName=table)["Items"]
    objects = sandbox.client("s3").list_objects_v2(Bucket=runner.bucket).get("Contents", [])
    executions = sandbox.client("stepfunctions").list_executions(stateMachineArn=runner.state_machine_arn)
    return {
        "ledger": sorted(json.dumps(item, sort_keys=True) for item in items),
        "objects": sorted(o["Key"] for o in objects),
        "executions": sorted(e["name"] for e in executions["executions"]),
    }


@pytest.fixture(scope="module")
def first_deploy(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> FirstDeploy:
    projects_file: Path = tmp_path_factory.mktemp("first-deploy") / "projects.json"
    a_day_before = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    projects_file.write_text(
        json.dumps(
            {
                "projects": [
                    _project("adopt", "Adopted"),
                    _project("backfill", "Backfill", adopt_jobs_ended_after=a_day_before),
                ]
            }
        )
    )
    # One stack per `cdk deploy`, as a platform team adds a project.
    outputs = {
        stack: sandbox.deploy(checkout_app(), projects_file=projects_file, stacks=[stack])[stack]
        for stack in ("GtChain-adopt", "GtChain-backfill")
    }
    runners = {stack: ScenarioRunner(sandbox, out, ROLE) for stack, out in outputs.items()}
    play = FirstDeploy(
        runners=runners, tables={stack: out["LedgerTableName"] for stack, out in outputs.items()}
    )
    adopt, backfill = runners["GtChain-adopt"], runners["GtChain-backfill"]

    lost_events = [sandbox.faults.lose_events(old.root_job) for old in (OLD_ADOPT, OLD_BACKFILL)]
    adopt.start(OLD_ADOPT)
    adopt.start(NEW_ADOPT)
    backfill.start(OLD_BACKFILL)
    sandbox.workforce.start()
    sagemaker = sandbox.client("sagemaker")
    for old in (OLD_ADOPT, OLD_BACKFILL):
        wait_until(
            lambda name=old.root_job: (
                sagemaker.describe_labeling_job(LabelingJobName=name)["LabelingJobStatus"] == "Stopped"
            ),
            f"{old.root_job} to stop",
        )
        sandbox.faults.age_job(old.root_job, ENDED_BEFORE_DEPLOY)
    for knob in lost_events:  # from now on the rule exists: late events reach it
        knob.count = knob.fired
    # The job that ends after the deploy: its event chains it, before any sweep ran.
    play.results[NEW_ADOPT.root_job] = adopt.wait(NEW_ADOPT, timeout=180)

    for stack, runner in runners.items():
        play.written_before_dry_run[stack] = _everything_written(sandbox, runner, play.tables[stack])
        play.dry_runs[stack] = _cli_json(sandbox, stack, "--dry-run")
        play.written_after_dry_run[stack] = _everything_written(sandbox, runner, play.tables[stack])
    text = CliRunner().invoke(
        _cli, ["chain", "sweep", "--dry-run"], env={**sandbox.env, "GTCHAIN_STACK": "GtChain-backfill"}
    )
    assert text.exit_code == 0, text.output
    play.dry_run_text = text.output

    for stack in runners:
        play.sweeps[stack] = [_cli_json(sandbox, stack)]
    play.results[OLD_BACKFILL.root_job] = backfill.wait(OLD_BACKFILL, timeout=180)
    for stack in runners:
        play.sweeps[stack].append(_cli_json(sandbox, stack))
    return play


def test_the_dry_run_lists_what_the_sweep_would_start_and_leave_with_the_forecast(
    first_deploy: FirstDeploy,
) -> None:
    adopt = first_deploy.dry_runs["GtChain-adopt"]
    assert adopt["would_start"] == []
    (left,) = [job for job in adopt["left_alone"] if job["job_name"] == OLD_ADOPT.root_job]
    assert "before the adoption start" in left["reason"] and "first deploy" in left["reason"]
    # Nothing recorded yet: the start shown is the one the first sweep records.
    assert adopt["adoption_start"]["recorded"] is None
    assert adopt["adoption_start"]["source"] == "first-deploy"

    backfill = first_deploy.dry_runs["GtChain-backfill"]
    (start,) = backfill["would_start"]
    assert (start["job_name"], start["decision"]) == (OLD_BACKFILL.root_job, "CHAIN")
    remaining = OBJECTS - STOP_AFTER
    assert start["forecast"]["remaining_objects"] == remaining
    assert start["forecast"]["objects_to_pay"] == remaining
    assert start["forecast"]["worker_pay_usd"] == "9.60"  # 120 x $0.08
    assert backfill["total"] == {
        "jobs_to_chain": 1,
        "objects_to_pay": remaining,
        "worker_pay_usd": "9.60",
        "unpriced_jobs": [],
    }
    assert backfill["adoption_start"]["source"] == "configuration"
    assert f"start  {OLD_BACKFILL.root_job} (Stopped) -> CHAIN" in first_deploy.dry_run_text
    assert "worker pay $9.60" in first_deploy.dry_run_text


def test_the_dry_run_changed_nothing(first_deploy: FirstDeploy) -> None:
    for stack in first_deploy.runners:
        assert first_deploy.written_after_dry_run[stack] == first_deploy.written_before_dry_run[stack], stack


def test_a_job_that_ended_before_the_deploy_is_not_chained(
    first_deploy: FirstDeploy, sandbox: Sandbox
) -> None:
    first, second = first_deploy.sweeps["GtChain-adopt"]
    assert first["started"] == [] and second["started"] == []
    assert "before the adoption start" in first["skipped"][OLD_ADOPT.root_job]
    assert first["adoption_start"]["recorded_now"] is True
    assert first["adoption_start"]["source"] == "first-deploy"
    assert second["adoption_start"]["at"] == first["adoption_start"]["at"]
    assert listed_jobs(sandbox, OLD_ADOPT.root_job) == [OLD_ADOPT.root_job]


def test_a_late_event_for_it_is_ignored_and_recorded_once(
    first_deploy: FirstDeploy, sandbox: Sandbox
) -> None:
    runner = first_deploy.runners["GtChain-adopt"]
    arn = sandbox.client("sagemaker").describe_labeling_job(LabelingJobName=OLD_ADOPT.root_job)[
        "LabelingJobArn"
    ]
    put_state_change(sandbox, arn, "Stopped", times=2)
    wait_until(
        lambda: (
            len(executions := runner.executions_for(OLD_ADOPT.root_job)) == 2
            and all(e["status"] == "SUCCEEDED" for e in executions)
        ),
        "both executions to end",
    )
    ledger = Ledger(sandbox.client("dynamodb"), first_deploy.tables["GtChain-adopt"])
    ignored = ledger.ignored(OLD_ADOPT.root_job)
    assert ignored is not None and "before the adoption start" in ignored["reason"]
    assert ledger.decision(OLD_ADOPT.root_job) is None
    assert listed_jobs(sandbox, OLD_ADOPT.root_job) == [OLD_ADOPT.root_job]


def test_a_job_that_ends_after_the_deploy_is_chained_as_always(
    first_deploy: FirstDeploy, sandbox: Sandbox
) -> None:
    result = first_deploy.results[NEW_ADOPT.root_job]
    root = NEW_ADOPT.root_job
    assert {d["job_name"]: d["decision"] for d in result.decisions} == {
        root: "CHAIN",
        f"{root}-chain-1": "COMPLETE",
    }
    assert result.labeled_objects == result.total_objects == OBJECTS


def test_with_an_earlier_adoption_start_the_sweep_chains_the_old_job_once(
    first_deploy: FirstDeploy, sandbox: Sandbox
) -> None:
    first, second = first_deploy.sweeps["GtChain-backfill"]
    root = OLD_BACKFILL.root_job
    assert first["started"] == [root]
    assert second["started"] == [] and second["skipped"][root] == "decision already recorded"
    assert listed_jobs(sandbox, root) == [root, f"{root}-chain-1"]
    result = first_deploy.results[root]
    assert {d["job_name"]: d["decision"] for d in result.decisions} == {
        root: "CHAIN",
        f"{root}-chain-1": "COMPLETE",
    }
    assert result.labeled_objects == OBJECTS
