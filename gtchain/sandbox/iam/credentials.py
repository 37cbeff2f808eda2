"""Credentials that identify a role session in the sandbox.

Each deployed Lambda gets ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/
``AWS_SESSION_TOKEN`` derived from its execution role (and session name = function name,
as Lambda names the session); the Step Functions executor signs its task calls with the
state machine's role the same way. The access key id is registered in this process, where
the server runs, so the enforcement layer knows which role made each call. Any other key
(the CDK CLI, tests, the operator CLI: ``testing``) is not a role session and is not
evaluated, like an administrator's credentials.

Signatures are not verified: the sandbox is a fidelity tool, not a security boundary.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class RoleSession:
    role_arn: str
    session_name: str

    @property
    def account(self) -> str:
        return self.role_arn.split(":")[4]

    @property
    def partition(self) -> str:
        return self.role_arn.split(":")[1]


@dataclass(frozen=True)
class SessionCredentials:
    access_key_id: str
    secret_access_key: str
    session_token: str

    def as_environment(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_SESSION_TOKEN": self.session_token,
        }


_lock = threading.Lock()
_sessions: dict[str, RoleSession] = {}


def access_key_id_for(role_arn: str, session_name: str) -> str:
    """``ASIA`` + 16 base32 characters of the session's hash: 20 characters of ``[A-Z2-7]``,
    the shape moto (and AWS) expect of an access key id; stable across restarts."""
    digest = hashlib.sha256(f"{role_arn}\n{session_name}".encode()).digest()
    return "ASIA" + base64.b32encode(digest).decode()[:16]


def credentials_for(role_arn: str, session_name: str) -> SessionCredentials:
    """Credentials of ``role_arn`` assumed as ``session_name``, registered in this process."""
    key = access_key_id_for(role_arn, session_name)
    with _lock:
        _sessions[key] = RoleSession(role_arn, session_name)
    token = hashlib.sha256(f"token\n{key}".encode()).hexdigest()
    return SessionCredentials(key, f"sandbox-secret-{key.lower()}", f"sandbox-session-{token}")


def session_for(access_key_id: str) -> RoleSession | None:
    """The role session of a registered access key id, None for any other key."""
    with _lock:
        return _sessions.get(access_key_id)
