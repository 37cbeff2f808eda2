"""The e2e tier's fault suite, played once per session (fixture ``faulted``, registered in
conftest.py): one small root job per fault, all started at once, each fault aimed at its job
(``match`` / ``job``), so the faults run concurrently without touching each other.

Faults an execution cannot survive on its own (a crashed Create step, a plan answering an
unknown decision, an event that never arrived, an execution a person stopped, an execution
that timed out) are recovered by ``gtchain chain sweep`` once their jobs are aged past the
sweep's grace period; a second sweep must start nothing.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any

from typer.testing import CliRunner

from gtchain.cli.main import _cli
from gtchain.demo.runner import ScenarioResult, ScenarioRunner
from gtchain.demo.scenarios import FINAL_DECISIONS, Scenario
from gtchain.sandbox import Sandbox
from gtchain.sandbox.faults import Fault
from gtchain.sandbox.groundtruth import EVENT_DETAIL_TYPE, EVENT_SOURCE, JobBehaviour
from gtchain_runtime.adapters.ledger import DECISION_RECORD, FAILURE_RECORD_PREFIX, Ledger
from tests.support.handler_env import state_change_event

OBJECTS, STOP_AFTER = 200, 80
# Older than the sweep's grace period (SWEEP_GRACE, 15 minutes).
AGE = timedelta(minutes=20)


def fault_scenario(name: str) -> Scenario:
    return Scenario(
        name=name,
        description=f"fault: {name}",
        root_job=f"Streetscenes-Flt-{name}",
        objects=OBJECTS,
        behaviour=JobBehaviour(stop_after=STOP_AFTER),
    )


# (service, operation, [errors]): each error is injected count=1, in this order, aimed at the job;
# boto3's standard retry mode (3 attempts) must absorb them.
AWS_FAULTS: dict[str, tuple[str, str, list[str]]] = {
    "sm-describe-throttle": ("sagemaker", "DescribeLabelingJob", ["ThrottlingException"] * 2),
    "sm-describe-5xx": ("sagemaker", "DescribeLabelingJob", ["InternalFailure", "ServiceUnavailable"]),
    "sm-create-throttle": ("sagemaker", "CreateLabelingJob", ["ThrottlingException"] * 2),
    "sm-create-5xx": ("sagemaker", "CreateLabelingJob", ["ServiceUnavailable"] * 2),
    "sm-listtags-throttle": ("sagemaker", "ListTags", ["ThrottlingException", "InternalFailure"]),
    "s3-get": ("s3", "GetObject", ["SlowDown", "InternalError"]),
    "s3-put": ("s3", "PutObject", ["SlowDown", "InternalError"]),
    "s3-head": ("s3", "HeadObject", ["SlowDown", "ServiceUnavailable"]),
    "ddb-put": ("dynamodb", "PutItem", ["ProvisionedThroughputExceededException", "ThrottlingException"]),
    "sns-publish-5xx": ("sns", "Publish", ["InternalError", "ServiceUnavailable"]),
    "sns-publish-throttled": ("sns", "Publish", ["Throttled"]),
}
CREATE_CRASH, RECORD_CRASH = "create-crash", "record-crash"
UNKNOWN_DECISION, LOST_EVENT, EVENT_STORM = "unknown-decision", "lost-event", "event-storm"
STOPPED_EXECUTION, TIMED_OUT_EXECUTION = "stopped-execution", "timed-out-execution"
# Recovered by the sweep: no decision after their first execution.
SWEPT = (CREATE_CRASH, UNKNOWN_DECISION, LOST_EVENT, STOPPED_EXECUTION, TIMED_OUT_EXECUTION)
ALL = (
    *AWS_FAULTS,
    CREATE_CRASH,
    RECORD_CRASH,
    UNKNOWN_DECISION,
    LOST_EVENT,
    EVENT_STORM,
    STOPPED_EXECUTION,
    TIMED_OUT_EXECUTION,
)
# How an operator stops an execution (StopExecution's optional error and cause).
OPERATOR_STOP = {"error": "Operator.Stopped", "cause": "stopped by hand while investigating the job"}
# The deployed two-hour execution limit, played in seconds (time_out_executions); the execution is
# held in its first step meanwhile, so it cannot end any other way.
TIMEOUT_SECONDS = 3


@dataclass
class FaultPlay:
    scenarios: dict[str, Scenario]
    results: dict[str, ScenarioResult]
    knobs: dict[str, list[Fault]]
    sweeps: list[dict[str, Any]] = field(default_factory=list)
    storm_events: int = 0
    other_project_execution: str = ""
    # fault name -> the ARN of the execution a person stopped, or that timed out
    interrupted: dict[str, str] = field(default_factory=dict)


def put_state_change(sandbox: Sandbox, job_arn: str, status: str, times: int = 1) -> None:
    entry = {
        "Source": EVENT_SOURCE,
        "DetailType": EVENT_DETAIL_TYPE,
        "Detail": json.dumps({"LabelingJobStatus": status}),
        "Resources": [job_arn],
    }
    sandbox.client("events").put_events(Entries=[entry] * times)


def function_pattern(handler_module: str) -> str:
    """fnmatch pattern of the stack's function names (CDK: GtChain-<project>-<Id><hash>)."""
    return {
        "create_child": "*CreateChild*",
        "record_outcome": "*RecordOutcome*",
        "plan_chain": "*PlanChain*",
        "inspect_job": "*InspectJob*",
    }[handler_module]


def sweep(sandbox: Sandbox, stack: str) -> dict[str, Any]:
    env = {**sandbox.env, "GTCHAIN_STACK": stack}
    result = CliRunner().invoke(_cli, ["chain", "sweep", "--json"], env=env)
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output))


def age_adoption_start(sandbox: Sandbox, table: str, by: timedelta) -> None:
    """Aging jobs past the sweep's grace period moves them before the deploy: age the deploy with
    them, recording the adoption start the first sweep would record had the stack been deployed
    `by` earlier (the ledger's creation time; usecases/adoption.py)."""
    created = sandbox.client("dynamodb").describe_table(TableName=table)["Table"]["CreationDateTime"]
    aged = (created - by).astimezone(UTC).isoformat()
    recorded = Ledger(sandbox.client("dynamodb"), table).record_adoption_start(aged, "first-deploy")
    assert recorded, "a sweep recorded the adoption start before the fault play aged its jobs"


def wait_until(check: Any, what: str, timeout: float = 180.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def play_faults(sandbox: Sandbox, runner: ScenarioRunner, stack: str, table: str) -> FaultPlay:
    scenarios = {name: fault_scenario(name) for name in ALL}
    knobs: dict[str, list[Fault]] = {}
    faults = sandbox.faults
    for name, (service, operation, errors) in AWS_FAULTS.items():
        root = scenarios[name].root_job
        knobs[name] = [faults.inject(service, operation, error, count=1, match=root) for error in errors]
    job = {name: scenarios[name].root_job for name in ALL}
    knobs[CREATE_CRASH] = [
        faults.crash(
            function_pattern("create_child"), after=("sagemaker", "CreateLabelingJob"), job=job[CREATE_CRASH]
        )
    ]
    knobs[RECORD_CRASH] = [
        faults.crash(function_pattern("record_outcome"), after=("dynamodb", "PutItem"), job=job[RECORD_CRASH])
    ]
    knobs[UNKNOWN_DECISION] = [
        faults.corrupt_result(
            function_pattern("plan_chain"), {"decision": "MAYBE"}, job=job[UNKNOWN_DECISION]
        )
    ]
    knobs[LOST_EVENT] = [faults.lose_events(job[LOST_EVENT])]  # the root's own events only
    # Held before it decides: a person stops it. Held in its first step: its time limit passes.
    knobs[STOPPED_EXECUTION] = [faults.stall(function_pattern("plan_chain"), job=job[STOPPED_EXECUTION])]
    knobs[TIMED_OUT_EXECUTION] = [
        faults.stall(function_pattern("inspect_job"), job=job[TIMED_OUT_EXECUTION]),
        faults.time_out_executions(job[TIMED_OUT_EXECUTION], after_seconds=TIMEOUT_SECONDS),
    ]

    for scenario in scenarios.values():
        runner.start(scenario)
    sandbox.workforce.start()
    play = FaultPlay(scenarios=scenarios, results={}, knobs=knobs)
    storm = threading.Thread(target=_event_storm, args=(sandbox, runner, table, job[EVENT_STORM], play))
    storm.start()

    # An operator (or another rule) starts an execution for another project's job: ignored.
    other = "arn:aws:sagemaker:us-east-1:123456789012:labeling-job/vineyards-flt-redriven"
    play.other_project_execution = sandbox.client("stepfunctions").start_execution(
        stateMachineArn=runner.state_machine_arn,
        name="redrive-other-project",
        input=json.dumps(state_change_event(other, "Stopped", "redrive-other-project")),
    )["executionArn"]

    play.interrupted[STOPPED_EXECUTION] = _stop_by_hand(
        sandbox, runner, job[STOPPED_EXECUTION], knobs[STOPPED_EXECUTION][0]
    )
    play.interrupted[TIMED_OUT_EXECUTION] = _wait_for_time_out(
        sandbox, runner, job[TIMED_OUT_EXECUTION], knobs[TIMED_OUT_EXECUTION][0]
    )

    ledger = Ledger(sandbox.client("dynamodb"), table)
    sagemaker = sandbox.client("sagemaker")

    def ready_for_sweep() -> bool:
        lost = sagemaker.describe_labeling_job(LabelingJobName=job[LOST_EVENT])["LabelingJobStatus"]
        failed = all(ledger.failure_count(job[name]) >= 1 for name in (CREATE_CRASH, UNKNOWN_DECISION))
        return lost == "Stopped" and failed

    wait_until(ready_for_sweep, "the crashed, corrupted and lost-event jobs to need the sweep")
    for name in SWEPT:
        faults.age_job(job[name], AGE)
    age_adoption_start(sandbox, table, AGE)
    play.sweeps.append(sweep(sandbox, stack))
    wait_until(
        lambda: all(ledger.decision(job[name]) is not None for name in SWEPT), "the swept jobs' decisions"
    )
    play.sweeps.append(sweep(sandbox, stack))

    for name, scenario in scenarios.items():
        wait_until(lambda root=scenario.root_job: _final(ledger, root), f"the chain of {scenario.root_job}")
        play.results[name] = runner.wait(scenario, timeout=10)
    storm.join(timeout=60)
    return play


def _only_execution(runner: ScenarioRunner, root: str) -> str:
    (execution,) = runner.executions_for(root)
    return f"{runner.state_machine_arn.replace(':stateMachine:', ':execution:')}:{execution['name']}"


def _stop_by_hand(sandbox: Sandbox, runner: ScenarioRunner, root: str, stall: Fault) -> str:
    """Once the root's execution is held in Plan chain, stop it as an operator would (StopExecution
    with boto3), then let the held invocation go on: its answer reaches no execution."""
    wait_until(lambda: stall.fired >= 1, f"the execution of {root} to reach Plan chain")
    arn = _only_execution(runner, root)
    stepfunctions = sandbox.client("stepfunctions")
    stepfunctions.stop_execution(executionArn=arn, **OPERATOR_STOP)
    stall.release()
    wait_until(lambda: _history_ends(stepfunctions, arn, "ExecutionAborted"), f"{arn} to be aborted")
    return arn


def _wait_for_time_out(sandbox: Sandbox, runner: ScenarioRunner, root: str, stall: Fault) -> str:
    """The root's execution, held in Inspect job, times out; then the held invocation goes on."""
    wait_until(lambda: stall.fired >= 1, f"the execution of {root} to reach Inspect job")
    arn = _only_execution(runner, root)
    stepfunctions = sandbox.client("stepfunctions")
    wait_until(
        lambda: stepfunctions.describe_execution(executionArn=arn)["status"] == "TIMED_OUT",
        f"{arn} to time out",
    )
    stall.release()
    wait_until(lambda: _history_ends(stepfunctions, arn, "ExecutionTimedOut"), f"{arn}'s last event")
    return arn


def _history_ends(stepfunctions: Any, arn: str, event_type: str) -> bool:
    events = stepfunctions.get_execution_history(executionArn=arn)["events"]
    return any(event["type"] == event_type for event in events)


def _final(ledger: Ledger, root: str) -> bool:
    records = ledger.chain_records(root)
    return any(r["record"] == DECISION_RECORD and r.get("decision") in FINAL_DECISIONS for r in records)


def _event_storm(sandbox: Sandbox, runner: ScenarioRunner, table: str, root: str, play: FaultPlay) -> None:
    """The root's Stopped event 5 more times as soon as it stops; once the child completed and the
    chain is closed, late events: a Stopped for the child (after its Completed) and the root's again."""
    sagemaker, ledger = sandbox.client("sagemaker"), Ledger(sandbox.client("dynamodb"), table)
    described = wait_until(
        lambda: (
            (d := sagemaker.describe_labeling_job(LabelingJobName=root))["LabelingJobStatus"] == "Stopped"
            and d
        ),
        f"{root} to stop",
    )
    put_state_change(sandbox, described["LabelingJobArn"], "Stopped", times=5)
    wait_until(lambda: _final(ledger, root), f"the chain of {root}")
    child = sagemaker.describe_labeling_job(LabelingJobName=f"{root}-chain-1")
    put_state_change(sandbox, child["LabelingJobArn"], "Stopped", times=3)
    put_state_change(sandbox, child["LabelingJobArn"], "Completed", times=2)
    put_state_change(sandbox, described["LabelingJobArn"], "Stopped", times=2)
    play.storm_events = 5 + 3 + 2 + 2


def failure_records(ledger: Ledger, root: str) -> list[dict[str, Any]]:
    return [r for r in ledger.chain_records(root) if str(r["record"]).startswith(FAILURE_RECORD_PREFIX)]
