"""Lambda without Docker: deployed code, environment, context, error shape, warm workers."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from gtchain.sandbox import Sandbox
from gtchain.sandbox.awslambda import code as lambda_code
from gtchain.sandbox.install import apply_all
from tests.support.sandbox_calls import invoke, zip_files

# Mechanics of the platform with policy-less test roles: IAM enforcement has its own tests
# (test_iam_enforcement.py). The sandbox fixture reads this.
ENFORCE_IAM = False

# Named like the project's runtime package on purpose: the editable install must not win.
PROBE = """
import os, sys, time
import boto3

class ProbeError(Exception):
    pass

def handler(event, context):
    if event.get("fail"):
        raise ProbeError("asked to fail")
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("exit"):
        os._exit(3)
    if event.get("bucket"):
        boto3.client("s3").create_bucket(Bucket=event["bucket"])
    print("probe ran")
    return {
        "module_file": __file__,
        "pid": os.getpid(),
        "greeting": os.environ["GREETING"],
        "endpoint": os.environ["AWS_ENDPOINT_URL"],
        "function_name": context.function_name,
        "arn": context.invoked_function_arn,
        "request_id": context.aws_request_id,
        "memory": context.memory_limit_in_mb,
        "remaining": context.get_remaining_time_in_millis(),
        "log_group": context.log_group_name,
        "sandbox_importable": "gtchain.sandbox" in sys.modules,
    }
"""
PROBE_FILES = {"probe_code/__init__.py": "", "probe_code/handlers/probe.py": PROBE}
PROBE_HANDLER = "probe_code.handlers.probe.handler"


def test_apply_all_is_idempotent() -> None:
    from moto.awslambda.models import LambdaFunction

    apply_all()
    before = LambdaFunction.invoke
    apply_all()
    assert LambdaFunction.invoke is before


def test_runs_the_deployed_code_with_its_environment_and_context(
    sandbox: Sandbox, make_function: Callable[..., str]
) -> None:
    arn = make_function(PROBE_FILES, PROBE_HANDLER, {"GREETING": "hi"})
    error, result = invoke(sandbox, arn, {})
    assert error is None
    assert result["module_file"].startswith(str(lambda_code.CODE_CACHE_ROOT))
    assert result["greeting"] == "hi"
    assert result["endpoint"] == sandbox.endpoint
    assert result["arn"] == arn
    assert result["function_name"] == arn.rsplit(":", 1)[-1]
    assert result["memory"] == 128
    assert 0 < result["remaining"] <= 10_000
    assert result["log_group"] == f"/aws/lambda/{result['function_name']}"
    assert not result["sandbox_importable"]


def test_function_boto3_talks_to_the_sandbox(sandbox: Sandbox, make_function: Callable[..., str]) -> None:
    arn = make_function(PROBE_FILES, PROBE_HANDLER, {"GREETING": "hi"})
    bucket = f"made-by-lambda-{uuid.uuid4().hex[:8]}"
    error, payload = invoke(sandbox, arn, {"bucket": bucket})
    assert error is None, payload
    assert bucket in [b["Name"] for b in sandbox.client("s3").list_buckets()["Buckets"]]


def test_warm_worker_is_reused_and_replaced_when_code_changes(
    sandbox: Sandbox, make_function: Callable[..., str]
) -> None:
    arn = make_function(PROBE_FILES, PROBE_HANDLER, {"GREETING": "hi"})
    _, first = invoke(sandbox, arn, {})
    _, second = invoke(sandbox, arn, {})
    assert first["pid"] == second["pid"]
    assert first["request_id"] != second["request_id"]

    changed = {**PROBE_FILES, "probe_code/handlers/probe.py": PROBE.replace("probe ran", "v2")}
    sandbox.client("lambda").update_function_code(FunctionName=arn, ZipFile=zip_files(changed))
    _, third = invoke(sandbox, arn, {})
    assert third["pid"] != first["pid"]


def test_errors_have_lambdas_shape(sandbox: Sandbox, make_function: Callable[..., str]) -> None:
    arn = make_function(PROBE_FILES, PROBE_HANDLER, {"GREETING": "hi"})
    error, payload = invoke(sandbox, arn, {"fail": True})
    assert error == "Unhandled"
    assert payload["errorType"] == "ProbeError"
    assert payload["errorMessage"] == "asked to fail"
    assert isinstance(payload["stackTrace"], list)


def test_a_traceback_names_the_handler_file_by_its_repository_path(
    sandbox: Sandbox, make_function: Callable[..., str]
) -> None:
    # The asset is lambdas/ as in git: its files are unpacked in a folder named lambdas.
    arn = make_function(PROBE_FILES, PROBE_HANDLER, {"GREETING": "hi"})
    error, payload = invoke(sandbox, arn, {"fail": True})
    assert error == "Unhandled"
    handler_frames = [frame for frame in payload["stackTrace"] if "probe.py" in frame]
    assert handler_frames, payload["stackTrace"]
    assert all("/lambdas/probe_code/handlers/probe.py" in frame for frame in handler_frames)
    error, result = invoke(sandbox, arn, {})
    assert error is None
    assert result["module_file"].endswith("/lambdas/probe_code/handlers/probe.py")


def test_missing_handler_is_an_import_error(sandbox: Sandbox, make_function: Callable[..., str]) -> None:
    arn = make_function(PROBE_FILES, "gtchain_runtime.handlers.nowhere.handler", {"GREETING": "hi"})
    error, payload = invoke(sandbox, arn, {})
    assert error == "Unhandled"
    assert payload["errorType"] == "Runtime.ImportModuleError"


def test_timeout_kills_the_worker(sandbox: Sandbox, make_function: Callable[..., str]) -> None:
    arn = make_function(PROBE_FILES, PROBE_HANDLER, {"GREETING": "hi"}, timeout=1)
    error, payload = invoke(sandbox, arn, {"sleep": 5})
    assert error == "Unhandled"
    assert payload["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in payload["errorMessage"]
    # The next invocation gets a fresh environment and works.
    error, _ = invoke(sandbox, arn, {})
    assert error is None


def test_runtime_exit_is_reported(sandbox: Sandbox, make_function: Callable[..., str]) -> None:
    arn = make_function(PROBE_FILES, PROBE_HANDLER, {"GREETING": "hi"})
    error, payload = invoke(sandbox, arn, {"exit": True})
    assert error == "Unhandled"
    assert payload["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in payload["errorMessage"]


def test_layers_are_on_the_path(sandbox: Sandbox, make_function: Callable[..., str]) -> None:
    layer = sandbox.client("lambda").publish_layer_version(
        LayerName=f"layer-{uuid.uuid4().hex[:8]}",
        Content={"ZipFile": zip_files({"python/only_in_layer.py": "VALUE = 'from layer'\n"})},
    )
    files = {"app.py": "import only_in_layer\ndef handler(event, context):\n    return only_in_layer.VALUE\n"}
    arn = make_function(files, "app.handler", layers=[layer["LayerVersionArn"]])
    assert invoke(sandbox, arn, {}) == (None, "from layer")


def test_invocation_logs_reach_cloudwatch(sandbox: Sandbox, make_function: Callable[..., str]) -> None:
    arn = make_function(PROBE_FILES, PROBE_HANDLER, {"GREETING": "hi"})
    invoke(sandbox, arn, {})
    group = f"/aws/lambda/{arn.rsplit(':', 1)[-1]}"
    messages = [e["message"] for e in sandbox.client("logs").filter_log_events(logGroupName=group)["events"]]
    assert any(m.startswith("START RequestId:") for m in messages)
    assert "probe ran" in messages
