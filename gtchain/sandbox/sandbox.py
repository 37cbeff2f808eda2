"""The offline sandbox: a patched moto server on localhost, and deploys into it.

The server runs in this process (``ThreadedMotoServer``) so that the patches apply to it.
It listens on ``localhost`` (not 127.0.0.1): moto only parses path-style TemplateURLs whose
host contains "localhost", and the CDK CLI passes such URLs.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3

from gtchain.sandbox import iam
from gtchain.sandbox.awslambda import runtime as lambda_runtime
from gtchain.sandbox.deploy import CdkApp, CdkDeployer, DeployTimings
from gtchain.sandbox.errors import SandboxError
from gtchain.sandbox.faults import Faults, faults
from gtchain.sandbox.groundtruth import Workforce, workforce
from gtchain.sandbox.install import apply_all

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
PROJECTS_FILE_CONTEXT_KEY = "gtchain:projectsFile"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("localhost", 0))
        return int(probe.getsockname()[1])


class Sandbox:
    """Patched moto on ``http://localhost:<port>``; use as a context manager.

    >>> with Sandbox() as sandbox:                                  # doctest: +SKIP
    ...     outputs = sandbox.deploy(checkout_app(), projects_file=Path("projects.json"))
    """

    def __init__(self, port: int | None = None, *, enforce_iam: bool = True) -> None:
        """``enforce_iam``: evaluate every call a deployed Lambda, the state machine or an
        EventBridge rule makes against its role's policies (gtchain.sandbox.iam); off only
        to debug something else."""
        self._requested_port = port
        self.enforce_iam = enforce_iam
        self._iam_was_enforced = False
        self.port = 0
        self._server: Any = None
        self._saved_environ: dict[str, str | None] = {}
        self._deployer: CdkDeployer | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        if self._server is not None:
            raise SandboxError("the sandbox is already running")
        from moto.core.config import default_user_config
        from moto.server import ThreadedMotoServer

        apply_all()
        self._iam_was_enforced = iam.enabled()
        iam.enable(self.enforce_iam)
        iam.DENIALS.clear()
        iam.GRANTS_USED.clear()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        # Step Functions must execute; Lambda must use the backend whose invoke is patched.
        default_user_config.setdefault("stepfunctions", {})["execute_state_machine"] = True
        default_user_config.setdefault("lambda", {})["use_docker"] = True
        self.port = self._requested_port or free_port()
        self._export({"MOTO_PORT": str(self.port)})  # the Step Functions executor calls back here
        server = ThreadedMotoServer(ip_address="localhost", port=self.port, verbose=False)
        try:
            server.start()
            self._wait_until_listening()
        except Exception as error:
            self._restore_environ()
            iam.enable(self._iam_was_enforced)
            raise SandboxError(f"cannot start the sandbox on localhost:{self.port}: {error}") from error
        self._server = server
        self._deployer = CdkDeployer(self.env, ACCOUNT_ID, REGION)
        workforce().start()  # Ground Truth advances jobs on its own

    def stop(self) -> None:
        """Stop Lambda workers and the server, reset moto's state, restore the environment."""
        if self._server is None:
            return
        lambda_runtime.POOL.shutdown()
        workforce().stop()
        workforce().reset()  # forget the knobs; the jobs go with moto's reset
        faults().reset()
        try:
            self._post("/moto-api/reset")
        finally:
            self._server.stop()
            self._server = None
            self._restore_environ()
            iam.enable(self._iam_was_enforced)

    @property
    def running(self) -> bool:
        return self._server is not None

    # -- what callers use ------------------------------------------------------------------
    @property
    def endpoint(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        """Environment variables that point AWS SDKs and the CDK CLI at the sandbox."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "MOTO_PORT": str(self.port),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "CDK_DEFAULT_ACCOUNT": ACCOUNT_ID,
            "CDK_DEFAULT_REGION": REGION,
        }

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client for ``service`` pointed at the sandbox."""
        self._require_running()
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            **kwargs,
        )

    def deploy(
        self,
        app: CdkApp,
        projects_file: Path | None = None,
        stacks: list[str] | None = None,
        *,
        context: dict[str, str] | None = None,
    ) -> dict[str, dict[str, str]]:
        """``cdk bootstrap`` (once) and ``cdk deploy`` of ``app`` with its real CLI (this
        checkout's: ``gtchain.checkout_app.checkout_app()``); returns the outputs per stack.
        Raises SandboxError naming any template resource that was not created, or with the
        CLI's stderr tail when it fails."""
        self._require_running()
        assert self._deployer is not None
        full_context = dict(context or {})
        if projects_file is not None:
            if not projects_file.is_file():
                raise SandboxError(f"projects file not found: {projects_file}")
            full_context[PROJECTS_FILE_CONTEXT_KEY] = str(projects_file.resolve())
        return self._deployer.deploy(
            self.client("cloudformation"),
            self.client("ssm"),
            app=app,
            context=full_context,
            stacks=stacks,
        )

    @property
    def timings(self) -> DeployTimings:
        """Seconds of the last deploy's bootstrap / deploy / verification."""
        return self._deployer.timings if self._deployer else DeployTimings()

    @property
    def iam_denials(self) -> list[iam.Denial]:
        """Calls the sandbox refused since it started (newest last; at most 500 kept)."""
        return list(iam.DENIALS)

    @property
    def faults(self) -> Faults:
        """Fault injection knobs of this process (gtchain.sandbox.faults)."""
        return faults()

    @property
    def workforce(self) -> Workforce:
        """The simulated Ground Truth workforce (knobs) of this process."""
        return workforce()

    # -- internals -------------------------------------------------------------------------
    def _require_running(self) -> None:
        if self._server is None:
            raise SandboxError("the sandbox is not running: use `with Sandbox() as sandbox:`")

    def _export(self, variables: dict[str, str]) -> None:
        for name, value in variables.items():
            self._saved_environ.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    def _restore_environ(self) -> None:
        for name, value in self._saved_environ.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_environ.clear()

    def _post(self, path: str) -> None:
        request = urllib.request.Request(self.endpoint + path, data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=30):
            pass

    def _wait_until_listening(self, timeout_seconds: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_seconds
        while True:
            try:
                with socket.create_connection(("localhost", self.port), timeout=0.5):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
