"""IAM enforcement hooks (see :mod:`gtchain.sandbox.iam`).

What moto 5.2.5 offers and why it is not used as is: ``moto.core.authorization`` can
authenticate and authorize requests (``INITIAL_NO_AUTH_ACTION_COUNT``), but it is one
process-wide switch for *every* caller (the CDK CLI and the tests would need IAM users of
their own), it verifies SigV4 signatures against keys in its IAM/STS backends, it
authorizes most JSON services against resource ``*`` (only S3 gets bucket/key ARNs), it
ignores every condition except trust-policy equality, and its wildcard match is a
case-sensitive regex without ``?``. What is sound is how it collects a role's policies
(inline + attached managed from the IAM backend): :func:`gtchain.sandbox.iam.enforcement.role_policies`
does the same.

Hooks:
- the server's WSGI dispatcher (``DomainDispatcherApplication.__call__``) checks every
  request signed with a role session's key before moto routes it;
- the Step Functions executor (``boto_client_for`` in moto's ASL interpreter, which signs
  its Lambda and service-integration calls with the fixed key ``ak``) signs with the
  credentials of the execution's role (``StateCredentials.role_arn``: the state machine's
  ``RoleArn``, or a task's ``Credentials``), so those calls are checked like any other;
- the Lambda runtime (:mod:`gtchain.sandbox.awslambda.runtime`) gives each worker its role's credentials;
- EventBridge -> Step Functions (:mod:`gtchain.sandbox.eventbridge.patches`) authorizes
  ``states:StartExecution`` for the target's ``RoleArn`` in-process.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from gtchain.sandbox.iam.credentials import credentials_for
from gtchain.sandbox.iam.enforcement import wsgi_guard
from gtchain.sandbox.patching import PatchSet

STATES_SESSION_NAME = "gtchain-sandbox-states"
_ASL_PACKAGE = "moto.stepfunctions.parser.asl"


def _make_boto_client_for(original: Any) -> Any:
    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        client = original(region=region, service=service, state_credentials=state_credentials)
        role_arn = getattr(state_credentials, "role_arn", None)
        if not role_arn:
            return client
        import boto3

        credentials = credentials_for(str(role_arn), STATES_SESSION_NAME)
        return boto3.client(
            service_name=service,
            region_name=region,
            endpoint_url=client.meta.endpoint_url,
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            aws_session_token=credentials.session_token,
            config=client.meta.config,
        )

    boto_client_for.__doc__ = "moto's boto_client_for, signed with the execution role's credentials."
    return boto_client_for


def _register_step_functions_clients(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.asl.utils import boto_client

    original = boto_client.boto_client_for
    replacement = _make_boto_client_for(original)
    patches.replace(boto_client, "boto_client_for", replacement)
    # Modules imported the function by name: replace it in each of them.
    package = importlib.import_module(_ASL_PACKAGE)
    for module_info in pkgutil.walk_packages(package.__path__, prefix=f"{_ASL_PACKAGE}."):
        try:
            module = importlib.import_module(module_info.name)
        except Exception:  # an optional integration that does not import here
            continue
        if module is not boto_client and getattr(module, "boto_client_for", None) is original:
            patches.replace(module, "boto_client_for", replacement)


def register(patches: PatchSet) -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    patches.wrap(DomainDispatcherApplication, "__call__", wsgi_guard)
    _register_step_functions_clients(patches)


PATCHES = PatchSet("iam", register)
