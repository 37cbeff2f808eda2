"""Lambda without Docker: run each function's deployed code in warm worker processes.

What moto 5.2.5 lacks: ``LambdaFunction._invoke_lambda`` either starts a Docker container
(there is no Docker engine here) or, with ``use_docker: False``, answers canned replies.

The patch runs the function's *deployed* zip (unzipped once per code sha into a cache
directory) in a worker subprocess that stays warm between invocations, like a Lambda
execution environment: one invocation at a time per worker, more workers when invocations
overlap, timeout enforced (the worker is killed, as Lambda does), and a fresh worker when
the code or configuration changes. The worker gets the function's environment variables,
the reserved ``AWS_LAMBDA_*`` variables, region, ``AWS_ENDPOINT_URL`` so the function's
boto3 talks to the sandbox, and credentials of its execution role (session name = function
name, as Lambda does): the server knows which role makes each call and, with IAM
enforcement on, evaluates it against that role's policies (:mod:`gtchain.sandbox.iam`).

Documented difference from Lambda: layers here hold arm64 wheels, so the host's installed
third-party packages come first on ``sys.path``; the layer contents come after them (only
a package the host lacks is taken from the layer). The function code itself always comes
from the deployed asset: the worker starts with ``python -S`` so the editable install of
this repository cannot shadow it.

Where the code is unpacked (the task root, layers): :mod:`.code`.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import hashlib
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from gtchain.sandbox.awslambda.code import TASK_ROOT_FOLDER, host_site_packages, layer_paths, unzip_once
from gtchain.sandbox.iam.credentials import credentials_for
from gtchain.sandbox.patching import PatchSet

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
SANDBOX_ACCOUNT_ID = "123456789012"
_MAX_STDERR_TAIL = 2000
INIT_PHASE_LIMIT_SECONDS = 10.0


@dataclass(frozen=True)
class Invocation:
    """What one call returned, in the shape moto's ``_invoke_lambda`` hands back."""

    payload: str
    errored: bool
    logs: str


def _sandbox_endpoint() -> str:
    from moto import settings

    return f"http://localhost:{settings.moto_server_port()}"


def _function_fingerprint(function: Any) -> str:
    config = {
        "sha": function.code_sha_256,
        "handler": function.handler,
        "env": function.environment_vars,
        "layers": [layer["Arn"] for layer in function.layers],
        "memory": function.memory_size,
        "role": function.role,
        "endpoint": _sandbox_endpoint(),
    }
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


class _Worker:
    """One warm execution environment: a subprocess that handles one invocation at a time."""

    def __init__(self, function: Any) -> None:
        code_dir = unzip_once(function.code_bytes, function.code_sha_256, "task-roots", TASK_ROOT_FOLDER)
        sys_path = [str(code_dir), *host_site_packages(), *layer_paths(function)]
        self.function_name: str = function.function_name
        self.event: Any = None  # the event of the invocation running now
        self.log_stream = f"{time.strftime('%Y/%m/%d')}/[{function.version}]{uuid.uuid4().hex}"
        read_fd, write_fd = os.pipe()
        # Lives as long as the worker (closed in stop()): the tail explains a crashed runtime.
        self._stderr_file = tempfile.TemporaryFile()  # noqa: SIM115
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
            "PYTHONDONTWRITEBYTECODE": "1",
            "LAMBDA_TASK_ROOT": str(code_dir),
            "_HANDLER": function.handler,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.run_time}",
            "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": str(function.version),
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
            "AWS_LAMBDA_LOG_GROUP_NAME": function.logs_group_name,
            "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream,
            "AWS_REGION": function.region,
            "AWS_DEFAULT_REGION": function.region,
            **{str(k): str(v) for k, v in function.environment_vars.items()},
            # Lambda sets the role's credentials after the function's variables, as here.
            **credentials_for(function.role, function.function_name).as_environment(),
            # After the function's variables: the sandbox endpoint must win.
            "AWS_ENDPOINT_URL": _sandbox_endpoint(),
            "GTCHAIN_LAMBDA_FUNCTION_ARN": function.function_arn,
            "GTCHAIN_LAMBDA_SYS_PATH": json.dumps(sys_path),
            "GTCHAIN_LAMBDA_RESULT_FD": str(write_fd),
        }
        self._process = subprocess.Popen(
            [sys.executable, "-S", "-u", str(WORKER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr_file,
            env=environment,
            pass_fds=(write_fd,),
            text=True,
        )
        os.close(write_fd)
        self._results: IO[str] = os.fdopen(read_fd, "r", encoding="utf-8")
        self._initialized = False

    def kill(self) -> None:
        """SIGKILL the process (its invocation then ends with Runtime.ExitError)."""
        if self._process.poll() is None:
            self._process.kill()

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def _await_init(self) -> bool:
        """Wait for the worker's Init phase (importing the handler), which Lambda bounds by its
        own 10-second limit, not by the function timeout ("Init phase", Lambda developer guide,
        lambda-runtime-environment.html); False when the worker died or overran it."""
        if self._initialized:
            return True
        ready, _, _ = select.select([self._results], [], [], INIT_PHASE_LIMIT_SECONDS)
        self._initialized = bool(ready) and bool(self._results.readline())
        return self._initialized

    def invoke(self, event: Any, request_id: str, timeout_seconds: float) -> Invocation:
        if not self._await_init():
            self.kill()
            return self._exit_error(request_id)
        deadline = time.time() + timeout_seconds
        request = {"event": event, "request_id": request_id, "deadline_ms": int(deadline * 1000)}
        try:
            assert self._process.stdin is not None
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
        except (BrokenPipeError, OSError):
            return self._exit_error(request_id)
        ready, _, _ = select.select([self._results], [], [], timeout_seconds)
        if not ready:
            self.stop()
            message = f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {request_id} "
            message += f"Task timed out after {timeout_seconds:.2f} seconds"
            return Invocation(
                json.dumps({"errorType": "Sandbox.Timedout", "errorMessage": message}), True, message
            )
        line = self._results.readline()
        if not line:
            return self._exit_error(request_id)
        answer = json.loads(line)
        return Invocation(json.dumps(answer["payload"]), not answer["ok"], answer["logs"])

    def _exit_error(self, request_id: str) -> Invocation:
        code = self._process.wait()
        self._stderr_file.seek(0)
        tail = self._stderr_file.read().decode("utf-8", "replace")[-_MAX_STDERR_TAIL:]
        message = f"RequestId: {request_id} Error: Runtime exited with error: exit status {code}"
        error = {"errorType": "Runtime.ExitError", "errorMessage": message}
        return Invocation(json.dumps(error), True, tail)

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        with contextlib.suppress(OSError):
            self._results.close()
        if self._process.stdin is not None:
            with contextlib.suppress(OSError):
                self._process.stdin.close()
        self._stderr_file.close()


# Busy workers per function at most; more overlapping invocations wait for one (each worker is a
# Python process of about 70 MB: 50 executions at once would otherwise start hundreds). AWS would
# run them at once up to the account's concurrency; documented difference.
MAX_WORKERS_PER_FUNCTION = 8


class WorkerPool:
    """Warm workers per function ARN, reused while the code and configuration are unchanged;
    at most ``max_workers_per_function`` busy at once per function (further invocations wait)."""

    def __init__(self, max_workers_per_function: int = MAX_WORKERS_PER_FUNCTION) -> None:
        self._lock = threading.Lock()
        self.max_workers_per_function = max_workers_per_function
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._idle: dict[str, list[_Worker]] = {}
        self._fingerprints: dict[str, str] = {}
        self._busy: set[_Worker] = set()
        self.cold_starts = 0

    def invoke(self, function: Any, event: Any) -> Invocation:
        with self._lock:
            slots = self._slots.setdefault(
                function.function_arn, threading.BoundedSemaphore(self.max_workers_per_function)
            )
        with slots:
            return self._invoke(function, event)

    def _invoke(self, function: Any, event: Any) -> Invocation:
        worker = self._acquire(function)
        request_id = str(uuid.uuid4())
        worker.event = event
        try:
            result = worker.invoke(event, request_id, float(function.timeout))
            if not result.errored:
                result = _corrupted(function.function_name, event, result)
        finally:
            worker.event = None
            self._release(function.function_arn, worker)
        _save_logs(function, worker.log_stream, request_id, result)
        return result

    def _acquire(self, function: Any) -> _Worker:
        fingerprint = _function_fingerprint(function)
        stale: list[_Worker] = []
        with self._lock:
            if self._fingerprints.get(function.function_arn) != fingerprint:
                stale = self._idle.pop(function.function_arn, [])
                self._fingerprints[function.function_arn] = fingerprint
            idle = self._idle.setdefault(function.function_arn, [])
            while idle:
                worker = idle.pop()
                if worker.alive:
                    self._busy.add(worker)
                    break
                worker.stop()
            else:
                worker = None
        for old in stale:
            old.stop()
        if worker is None:
            worker = _Worker(function)  # started outside the lock: a cold start takes a while
            with self._lock:
                self.cold_starts += 1
                self._busy.add(worker)
        return worker

    def _release(self, function_arn: str, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
            if worker.alive and self._fingerprints.get(function_arn) is not None:
                self._idle.setdefault(function_arn, []).append(worker)
                return
        worker.stop()

    def shutdown(self) -> None:
        """Stop every worker (idle and busy); the pool stays usable afterwards."""
        with self._lock:
            workers = [w for idle in self._idle.values() for w in idle] + list(self._busy)
            self._idle.clear()
            self._busy.clear()
            self._fingerprints.clear()
        for worker in workers:
            worker.stop()

    def kill_busy(self, function_name: str, accepts: Any) -> bool:
        """Kill one busy worker of ``function_name`` whose current event ``accepts`` (a crash:
        its invocation ends with Runtime.ExitError); False when none matches."""
        with self._lock:
            victims = [
                w
                for w in self._busy
                if w.function_name == function_name and w.event is not None and accepts(w.event)
            ]
        if not victims:
            return False
        victims[0].kill()
        return True

    def worker_count(self) -> int:
        with self._lock:
            return sum(len(idle) for idle in self._idle.values()) + len(self._busy)


def _corrupted(function_name: str, event: Any, result: Invocation) -> Invocation:
    """The ``corrupt_result`` knob (gtchain.sandbox.faults) may rewrite a successful result."""
    from gtchain.sandbox.faults import faults

    payload = json.loads(result.payload)
    changed = faults().corrupt(function_name, event, payload)
    return result if changed is payload else Invocation(json.dumps(changed), False, result.logs)


def _save_logs(function: Any, log_stream: str, request_id: str, result: Invocation) -> None:
    """Write the invocation to CloudWatch Logs like Lambda does (START / output / END)."""
    logs_backend = function.logs_backend
    logs_backend.ensure_log_group(function.logs_group_name)
    with contextlib.suppress(Exception):  # the stream exists after the worker's first call
        logs_backend.create_log_stream(function.logs_group_name, log_stream)
    lines = [f"START RequestId: {request_id} Version: {function.version}"]
    lines += result.logs.splitlines()
    lines.append(f"END RequestId: {request_id}")
    now_ms = int(time.time() * 1000)
    logs_backend.put_log_events(
        function.logs_group_name,
        log_stream,
        [{"timestamp": now_ms, "message": line} for line in lines],
    )


POOL = WorkerPool()
atexit.register(POOL.shutdown)


def _invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
    """Replacement for ``LambdaFunction._invoke_lambda``: (payload, errored, logs)."""
    from gtchain.sandbox.faults import faults

    if isinstance(event, str | bytes):
        event = json.loads(event or "{}")
    event = {} if event is None else event
    faults().hold(self.function_name, event)  # the ``stall`` knob
    result = POOL.invoke(self, event)
    return result.payload, result.errored, result.logs


def _mark_unhandled(original_invoke: Any) -> Any:
    """Lambda labels an uncaught exception ``X-Amz-Function-Error: Unhandled``; moto says Handled."""

    def invoke(self: Any, body: str, request_headers: Any, response_headers: Any) -> str | bytes:
        payload = original_invoke(self, body, request_headers, response_headers)
        if response_headers.get("x-amz-function-error") == "Handled":
            response_headers["x-amz-function-error"] = "Unhandled"
        if "x-amz-log-result" in response_headers:  # Lambda returns only the last 4 KB
            logs = base64.b64decode(response_headers["x-amz-log-result"])[-4096:]
            response_headers["x-amz-log-result"] = base64.b64encode(logs).decode()
        return payload

    return invoke


def register(patches: PatchSet) -> None:
    from moto.awslambda.models import LambdaFunction

    from gtchain.sandbox.faults import faults

    patches.replace(LambdaFunction, "_invoke_lambda", _invoke_lambda)
    patches.wrap(LambdaFunction, "invoke", _mark_unhandled)
    # The crash knob kills the worker running the invocation it waits for.
    patches.replace(faults(), "killer", POOL.kill_busy)


PATCHES = PatchSet("awslambda", register)
