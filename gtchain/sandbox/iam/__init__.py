"""IAM enforced in the sandbox: each deployed Lambda (and the state machine, and the
EventBridge rule) calls AWS as its own role, and every such call is evaluated against that
role's policies as the deployed template created them.

- :mod:`.evaluate`: the pure identity-policy evaluator (Allow/Deny, wildcards, conditions).
- :mod:`.requests`: what IAM authorizes per (service, operation, params).
- :mod:`.credentials`: access keys that identify a role session.
- :mod:`.enforcement`: the switch, the role's policies from moto's IAM backend, the HTTP
  check and the services' AccessDenied answers.
The hooks into moto are in :mod:`gtchain.sandbox.iam.patches`.
"""

from gtchain.sandbox.iam.credentials import SessionCredentials, credentials_for
from gtchain.sandbox.iam.enforcement import DENIALS, GRANTS_USED, AccessDeniedError, Denial, enable, enabled

__all__ = [
    "DENIALS",
    "GRANTS_USED",
    "AccessDeniedError",
    "Denial",
    "SessionCredentials",
    "credentials_for",
    "enable",
    "enabled",
]
