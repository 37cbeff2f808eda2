"""Which AWS API calls each Lambda handler makes, recorded while the handlers run against moto.

Every boto3 client call goes through ``botocore.client.BaseClient._make_api_call`` (s3transfer's
worker threads included), so that is where :class:`CallRecorder` listens: whatever adapter,
service module or library makes the call, it is attributed to the handler running at that
moment. :func:`exercise_every_handler` drives every call path of the six handlers the way the
state machine and the hourly sweep would, and :func:`iam_actions` maps each recorded call to
the IAM actions it needs; ``tests/infra/test_derived_grants.py`` compares those with the
synthesized role policies.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from gtchain_cdk.functions import HANDLER_SIZING
from tests.support.handler_env import (
    FakeContext,
    ProjectAws,
    state_change_event,
    state_machine_arn_of_the_project,
    stop_running_executions,
)

# Every deployed handler (the stack's list), so a new handler cannot escape the derivation.
HANDLER_MODULES = tuple(HANDLER_SIZING)


@dataclass(frozen=True)
class ApiCall:
    """One AWS API call: the IAM service prefix (botocore's signing name), the operation and the
    names of the top-level parameters (some parameters need further actions: Tags, RoleArn)."""

    service: str
    operation: str
    parameters: frozenset[str]


class CallRecorder:
    """Records (handler module, API call) for calls made while a handler runs."""

    def __init__(self) -> None:
        self.calls: dict[str, set[ApiCall]] = {module: set() for module in HANDLER_MODULES}
        self._handler: str | None = None
        self._faults: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    @contextmanager
    def running(self, module: str) -> Iterator[None]:
        # Not a context variable: s3transfer makes its calls from its own worker threads.
        self._handler = module
        try:
            yield
        finally:
            self._handler = None

    def fail_next(self, module: str, operation: str) -> None:
        """The handler's next call of operation fails (after it is recorded)."""
        self._faults[(module, operation)] = "InternalError"

    def before_call(self, client: BaseClient, operation: str, parameters: dict[str, Any]) -> None:
        module = self._handler
        if module is None:
            return  # the test's own setup and assertions
        call = ApiCall(client.meta.service_model.signing_name, operation, frozenset(parameters))
        with self._lock:
            self.calls[module].add(call)
            code = self._faults.pop((module, operation), None)
        if code is not None:
            raise ClientError({"Error": {"Code": code, "Message": "injected by the test"}}, operation)


@contextmanager
def recording_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[CallRecorder]:
    recorder = CallRecorder()
    original: Callable[..., Any] = BaseClient._make_api_call

    def _make_api_call(client: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        recorder.before_call(client, operation_name, api_params)
        return original(client, operation_name, api_params)

    with monkeypatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", _make_api_call)
        yield recorder


# Operation -> IAM action --------------------------------------------------------------------

# The Service Authorization Reference lists the action each operation needs. For SageMaker,
# DynamoDB, SNS and Step Functions ("states") it is the operation's own name; S3's differ:
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
S3_ACTIONS: dict[str, tuple[str, ...]] = {
    "GetObject": ("s3:GetObject",),
    # HeadObject is authorized by s3:GetObject. The code reads its 404 as "no such object"
    # (a job without an output manifest); without s3:ListBucket S3 answers 403 instead.
    "HeadObject": ("s3:GetObject", "s3:ListBucket"),
    "ListObjectsV2": ("s3:ListBucket",),
    "PutObject": ("s3:PutObject",),
    # Multipart uploads (upload_fileobj above its threshold) are authorized by s3:PutObject...
    "CreateMultipartUpload": ("s3:PutObject",),
    "UploadPart": ("s3:PutObject",),
    "CompleteMultipartUpload": ("s3:PutObject",),
    # ...except the abort that s3transfer makes when a part fails.
    "AbortMultipartUpload": ("s3:AbortMultipartUpload",),
}
# Authorization a call needs beyond its own action, by (service, operation, parameter):
# - tags on create: https://docs.aws.amazon.com/sagemaker/latest/dg/security_iam_id-based-policy-examples.html
# - passing a role: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
PARAMETER_ACTIONS: dict[tuple[str, str, str], str] = {
    ("sagemaker", "CreateLabelingJob", "Tags"): "sagemaker:AddTags",
    ("sagemaker", "CreateLabelingJob", "RoleArn"): "iam:PassRole",
}


def iam_actions(call: ApiCall) -> set[str]:
    if call.service == "s3":
        if call.operation not in S3_ACTIONS:
            raise KeyError(f"s3:{call.operation} is not in S3_ACTIONS: look its action up and add it")
        actions = set(S3_ACTIONS[call.operation])
    else:
        actions = {f"{call.service}:{call.operation}"}
    actions |= {
        action
        for (service, operation, parameter), action in PARAMETER_ACTIONS.items()
        if (service, operation) == (call.service, call.operation) and parameter in call.parameters
    }
    return actions


def derived_actions(recorder: CallRecorder) -> dict[str, set[str]]:
    return {
        module: {action for call in calls for action in iam_actions(call)}
        for module, calls in recorder.calls.items()
    }


def queries_an_index(recorder: CallRecorder, module: str) -> bool:
    return any(
        c.service == "dynamodb" and c.operation == "Query" and "IndexName" in c.parameters
        for c in recorder.calls[module]
    )


# Every call path of every handler ------------------------------------------------------------

CHAIN_ROOT = "Streetscenes-Job1"
GIVE_UP_ROOT = "Streetscenes-Job2"
FAILING_ROOT = "Streetscenes-Job3"
SWEPT_ROOT = "Streetscenes-Job4"
PRE_ADOPTION_ROOT = "Streetscenes-Job5"
# Small enough that the test's manifests are uploaded in parts, as 1M-line manifests are.
MULTIPART_EVERYTHING = TransferConfig(multipart_threshold=1, multipart_chunksize=5 * 1024 * 1024)


class Executions:
    """The state machine's flow for one event, each Lambda task run under the recorder."""

    def __init__(self, recorder: CallRecorder) -> None:
        self.recorder = recorder

    def invoke(self, handler_module: ModuleType, event: dict[str, Any]) -> Any:
        module = handler_module.__name__.rsplit(".", 1)[-1]
        with self.recorder.running(module):
            return handler_module.handler(event, FakeContext())

    def run(self, event: dict[str, Any]) -> dict[str, Any]:
        from gtchain_runtime.handlers import (
            create_child,
            finalize_chain,
            inspect_job,
            plan_chain,
            record_outcome,
        )

        state: dict[str, Any] = dict(event)
        try:
            state["inspection"] = self.invoke(inspect_job, state)
            if not state["inspection"]["relevant"]:
                return state
            state["plan"] = self.invoke(plan_chain, state)
            if state["plan"]["decision"] == "CHAIN":
                state["child"] = self.invoke(create_child, state)
            elif state["plan"]["decision"] == "COMPLETE":
                state["final"] = self.invoke(finalize_chain, state)
        except Exception as error:  # the state machine's Catch States.ALL -> $.error
            state["error"] = {"Error": type(error).__name__, "Cause": str(error)}
        state["record"] = self.invoke(record_outcome, state)
        return state


def _finished(project: ProjectAws, name: str, objects: int, **behaviour: Any) -> dict[str, Any]:
    from gtchain.sandbox.groundtruth import JobBehaviour, workforce

    workforce().configure(name, JobBehaviour(**behaviour))
    project.create_root_job(name, objects)
    workforce().run_until_idle()
    return dict(project.sagemaker.describe_labeling_job(LabelingJobName=name))


def _event(describe: dict[str, Any], event_id: str) -> dict[str, Any]:
    return state_change_event(describe["LabelingJobArn"], describe["LabelingJobStatus"], event_id)


def exercise_every_handler(project: ProjectAws, monkeypatch: pytest.MonkeyPatch) -> CallRecorder:
    """A full chain, a duplicate event, a give-up, failed executions and sweeps, recorded."""
    from gtchain.sandbox.faults import faults
    from gtchain.sandbox.groundtruth import workforce
    from gtchain_runtime.adapters import s3_stream
    from gtchain_runtime.handlers import sweep_jobs
    from gtchain_runtime.handlers.observability import chain_context

    monkeypatch.setattr(s3_stream, "TRANSFER_CONFIG", MULTIPART_EVERYTHING)
    with recording_calls(monkeypatch) as recorder:
        executions = Executions(recorder)

        # Root stopped -> CHAIN -> the same event again (the child exists) -> the child
        # completes -> COMPLETE, finalized over both jobs of the chain.
        root = _finished(project, CHAIN_ROOT, 50, stop_after=30)
        chained = executions.run(_event(root, "event-root"))
        assert chained["plan"]["decision"] == "CHAIN" and chained["child"]["created"], chained
        duplicate = executions.run(_event(root, "event-root-again"))
        assert duplicate["child"]["created"] is False, duplicate
        workforce().run_until_idle()
        child = project.sagemaker.describe_labeling_job(LabelingJobName=chained["child"]["child_name"])
        # Finalize fails uploading a part (s3transfer aborts the upload); the retry completes.
        recorder.fail_next("finalize_chain", "UploadPart")
        assert "error" in executions.run(_event(child, "event-child"))
        completed = executions.run(_event(child, "event-child-retry"))
        assert completed["final"]["report"]["jobs"] == [CHAIN_ROOT, child["LabelingJobName"]], completed

        # A job of another project: inspected and ignored.
        other = _finished(project, "Other-Job", 5)
        assert executions.run(_event(other, "event-other"))["inspection"]["relevant"] is False

        # Failed without an output manifest for a permission error: GIVE_UP.
        failed = _finished(
            project,
            GIVE_UP_ROOT,
            10,
            fail_after=0,
            write_output_on_failure=False,
            failure_reason="ClientError: Access Denied when reading s3://bucket/inputs/img00001.jpg",
        )
        gave_up = executions.run(_event(failed, "event-give-up"))
        assert gave_up["plan"]["decision"] == "GIVE_UP", gave_up

        # An upload part fails three executions in a row: failure records, then GIVE_UP.
        failing = _finished(project, FAILING_ROOT, 20, stop_after=10)
        for attempt in range(1, 4):
            recorder.fail_next("plan_chain", "UploadPart")
            state = executions.run(_event(failing, f"event-failing-{attempt}"))
            assert "error" in state and state["record"]["gave_up"] == (attempt == 3), state

        # The sweep: one undecided job to start (twice: the second finds the execution),
        # the others decided or given up.
        _finished(project, SWEPT_ROOT, 10, stop_after=5)
        chain_context().clock = lambda: datetime.now(UTC) + timedelta(hours=1)
        first = executions.invoke(sweep_jobs, {})
        assert first["started"] == [SWEPT_ROOT], first
        executions.invoke(sweep_jobs, {})
        # A person stops the sweep's execution: the next sweep looks it up and starts attempt 2.
        stop_running_executions(state_machine_arn_of_the_project())
        assert executions.invoke(sweep_jobs, {})["started"] == [SWEPT_ROOT]

        # A job that ended before the adoption start the sweep recorded: ignored, and recorded so.
        old = _finished(project, PRE_ADOPTION_ROOT, 5, stop_after=2)
        faults().age_job(PRE_ADOPTION_ROOT, timedelta(days=2))
        ignored = executions.run(_event(old, "event-pre-adoption"))
        assert "before the adoption start" in ignored["inspection"]["reason"], ignored
    return recorder
