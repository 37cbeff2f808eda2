"""moto's request router: build each protocol router under a lock.

What moto 5.2.5 gets wrong: ``ServiceOperationRouter._get_router`` builds a service's router
lazily on its first request, without a lock. When many requests of a service arrive at once
(50 executions invoking the same Lambda function, bench/load_bench.py), concurrent builds
fail with ``AttributeError: 'OperationModel' object has no attribute 'http_trait'`` and the
request gets a 500 that AWS would never send. Built once under a lock, it is then shared.
"""

from __future__ import annotations

import threading
from typing import Any

from gtchain.sandbox.patching import PatchSet

_lock = threading.Lock()


def _make_get_router(original: Any) -> Any:
    def _get_router(self: Any, protocol: str) -> Any:
        with _lock:
            return original(self, protocol)

    return _get_router


def register(patches: PatchSet) -> None:
    from moto.core.routing import ServiceOperationRouter

    patches.wrap(ServiceOperationRouter, "_get_router", _make_get_router)


PATCHES = PatchSet("http.routing", register)
