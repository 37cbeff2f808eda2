"""Where a function's code lives in the sandbox: its task root, its layers, the host's packages.

The task root: Lambda unpacks a function's code in ``/var/task`` (``LAMBDA_TASK_ROOT``,
https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
The sandbox unpacks it in a folder named :data:`TASK_ROOT_FOLDER` (``lambdas``) inside a per-sha
cache directory, so a traceback from a handler names its file as it is in the repository
(``.../lambdas/gtchain_runtime/handlers/<x>.py``, the asset being ``lambdas/`` as in git).
Layers go where Lambda mounts them, ``/opt`` (``/opt/python`` first for Python runtimes,
https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html#packaging-layers-paths).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import site
import tempfile
import zipfile
from pathlib import Path
from typing import Any

CODE_CACHE_ROOT = Path(tempfile.gettempdir()) / "gtchain-sandbox" / "lambda-code"
TASK_ROOT_FOLDER = "lambdas"


def unzip_once(code: bytes, sha: str, kind: str, folder: str = "") -> Path:
    """Unzip ``code`` into ``CODE_CACHE_ROOT/<kind>/<name from sha>/<folder>`` unless already
    there (atomic rename, so parallel test processes can share the cache); returns that folder."""
    # Lambda's CodeSha256 is base64 ("/" and "+" included): hash it into a directory name.
    directory_name = hashlib.sha256(sha.encode()).hexdigest()[:40]
    target = CODE_CACHE_ROOT / kind / directory_name
    if target.is_dir():
        return target / folder
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory_name[:12]}-", dir=target.parent))
    try:
        with zipfile.ZipFile(io.BytesIO(code)) as archive:
            archive.extractall(staging / folder)
        staging.rename(target)
    except OSError:
        # Another process won the race: its copy is identical.
        shutil.rmtree(staging, ignore_errors=True)
        if not target.is_dir():
            raise
    return target / folder


def host_site_packages() -> list[str]:
    paths = [*site.getsitepackages(), site.getusersitepackages()]
    return [p for p in paths if os.path.isdir(p)]


def layer_paths(function: Any) -> list[str]:
    from moto.awslambda.utils import get_backend

    backend = get_backend(function.account_id, function.region)
    paths: list[str] = []
    for layer in function.layers:
        version = backend.layers_versions_by_arn(layer["Arn"])
        if version is None or not version.code_bytes:
            continue
        root = unzip_once(version.code_bytes, version.code_sha_256, "layers")
        # Lambda puts /opt/python and /opt on sys.path for Python runtimes.
        paths += [str(root / "python"), str(root)]
    return paths
