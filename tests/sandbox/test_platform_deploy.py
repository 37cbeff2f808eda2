"""The deploy path with the real CDK CLI: a small app with every resource kind gtchain uses,
deployed (create, then update) and run through EventBridge -> Step Functions -> Lambda."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from gtchain.checkout_app import checkout_app
from gtchain.sandbox import Sandbox, SandboxError
from tests.support.sandbox_calls import history_events, wait_for_execution, wait_until

FIXTURE_APP = Path(__file__).parent / "fixtures" / "cdk_app"


@pytest.fixture(scope="module")
def outputs(sandbox: Sandbox) -> Iterator[dict[str, str]]:
    deployed = sandbox.deploy(checkout_app(FIXTURE_APP))
    assert sandbox.timings.bootstrap_seconds > 0
    yield deployed["SandboxFixture"]


def _execution_for(sandbox: Sandbox, state_machine: str, marker: str) -> dict[str, object]:
    stepfunctions = sandbox.client("stepfunctions")

    def find() -> str | None:
        for execution in stepfunctions.list_executions(stateMachineArn=state_machine)["executions"]:
            described = stepfunctions.describe_execution(executionArn=execution["executionArn"])
            if marker in described["input"]:
                return str(execution["executionArn"])
        return None

    return wait_for_execution(sandbox, wait_until(find, what=f"the execution of {marker}"))


def _put(sandbox: Sandbox, detail: dict[str, object]) -> None:
    sandbox.client("events").put_events(
        Entries=[{"Source": "fixture.test", "DetailType": "Fixture", "Detail": json.dumps(detail)}]
    )


def test_outputs_of_every_resource(outputs: dict[str, str]) -> None:
    assert set(outputs) == {
        "BucketName",
        "TableName",
        "TopicArn",
        "StateMachineArn",
        "DeadLetterQueueUrl",
        "RuleName",
        "FunctionName",
    }


def test_event_runs_the_deployed_function_through_the_state_machine(
    sandbox: Sandbox, outputs: dict[str, str]
) -> None:
    _put(sandbox, {"run": "happy"})
    execution = _execution_for(sandbox, outputs["StateMachineArn"], "happy")
    assert execution["status"] == "SUCCEEDED"
    result = json.loads(str(execution["output"]))["run"]["result"]
    assert result["marker"] == "deployed-asset"
    assert result["greeting"] == "hello from the layer"
    assert result["function_name"] == outputs["FunctionName"]
    stored = sandbox.client("s3").get_object(Bucket=outputs["BucketName"], Key=result["key"])
    assert json.loads(stored["Body"].read())["detail"] == {"run": "happy"}
    assert sandbox.client("dynamodb").scan(TableName=outputs["TableName"])["Count"] >= 1
    types = [event["type"] for event in history_events(sandbox, str(execution["executionArn"]))]
    assert "TaskSucceeded" in types and types[-1] == "ExecutionSucceeded"


def test_function_error_is_caught_by_its_type(sandbox: Sandbox, outputs: dict[str, str]) -> None:
    _put(sandbox, {"run": "sad", "fail": "on purpose"})
    execution = _execution_for(sandbox, outputs["StateMachineArn"], "sad")
    assert execution["status"] == "SUCCEEDED"
    output = json.loads(str(execution["output"]))
    assert output["error"]["Error"] == "FixtureError"
    assert "handled" in output
    entered = [
        e["stateEnteredEventDetails"]["name"]
        for e in history_events(sandbox, str(execution["executionArn"]))
        if "stateEnteredEventDetails" in e
    ]
    assert "Handled failure" in entered


def test_undeliverable_target_fills_the_dead_letter_queue(sandbox: Sandbox, outputs: dict[str, str]) -> None:
    _put(sandbox, {"run": "dlq"})
    sqs = sandbox.client("sqs")

    def dead_letters() -> list[dict[str, object]]:
        response = sqs.receive_message(
            QueueUrl=outputs["DeadLetterQueueUrl"], MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        )
        return [m for m in response.get("Messages", []) if "dlq" in m["Body"]]

    (message,) = wait_until(dead_letters, what="the dead letter")
    assert message["MessageAttributes"]["TARGET_ARN"]["StringValue"].endswith(":stateMachine:Missing")


def test_update_deploy_keeps_outputs(sandbox: Sandbox, outputs: dict[str, str]) -> None:
    updated = sandbox.deploy(checkout_app(FIXTURE_APP), context={"fixture:description": "updated"})
    assert sandbox.timings.bootstrap_seconds == 0
    assert updated["SandboxFixture"]["StateMachineArn"] == outputs["StateMachineArn"]
    assert set(updated["SandboxFixture"]) == set(outputs)


def test_cli_failure_reports_stderr_tail(sandbox: Sandbox, tmp_path: Path) -> None:
    (tmp_path / "cdk.json").write_text(json.dumps({"app": "python app.py"}))
    (tmp_path / "app.py").write_text("raise SystemExit('broken app: no stacks here')\n")
    with pytest.raises(SandboxError, match="broken app: no stacks here"):
        sandbox.deploy(checkout_app(tmp_path))


def test_missing_projects_file_is_named(sandbox: Sandbox, tmp_path: Path) -> None:
    with pytest.raises(SandboxError, match="projects file not found"):
        sandbox.deploy(checkout_app(FIXTURE_APP), projects_file=tmp_path / "absent.json")
