"""Lambda code and dependency layer, bundled locally: no Docker, ever.

Both come from the installed ``gtchain_runtime`` package, so a CDK app that installed the
gtchain wheel deploys the same code as a checkout of this repository. The code asset holds
``gtchain_runtime/...`` exactly as ``lambdas/gtchain_runtime/...`` is in git: a handler string
is the path of its file under ``lambdas/``.

The layer is built by ``pip install --platform manylinux2014_aarch64 --only-binary=:all:``
(wheels only, so nothing is compiled for the wrong CPU) into a per-user cache
(``$GTCHAIN_CACHE_DIR``, else ``$XDG_CACHE_HOME/gtchain``, else ``~/.cache/gtchain``) keyed by
the hash of the requirements and the pip target. The first synth downloads the wheels; every
later synth, in any app on the machine, copies from the cache and works offline.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

import gtchain_runtime

# The package the functions run, wherever it is installed (a checkout or site-packages).
RUNTIME_PACKAGE_DIR = Path(gtchain_runtime.__file__).resolve().parent
REQUIREMENTS_FILE = RUNTIME_PACKAGE_DIR / "requirements.txt"

# One place for the runtime: the Lambda runtime and the wheels pip selects must agree.
LAMBDA_PYTHON_VERSION = "3.12"
LAMBDA_RUNTIME = lambda_.Runtime.PYTHON_3_12
LAMBDA_ARCHITECTURE = lambda_.Architecture.ARM_64
PIP_PLATFORM = "manylinux2014_aarch64"

# Never shipped to Lambda: caches, tests, and the requirements (they go to the layer).
NEVER_SHIPPED_DIRS = frozenset({"__pycache__", "tests", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
NEVER_SHIPPED_FILES = ("*.pyc", "requirements.txt")


def default_cache_root() -> Path:
    """Where built layers are kept: shared by every gtchain app of this user."""
    configured = os.environ.get("GTCHAIN_CACHE_DIR")
    if configured:
        return Path(configured) / "lambda-layer"
    xdg_cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg_cache) / "gtchain" / "lambda-layer"


class LayerBundlingError(RuntimeError):
    """pip could not build the dependency layer (first run needs the package index)."""


def layer_cache_key(requirements: Path = REQUIREMENTS_FILE) -> str:
    """Hash of everything that decides the layer's content."""
    digest = hashlib.sha256()
    digest.update(requirements.read_bytes())
    digest.update(f"{PIP_PLATFORM}|cp{LAMBDA_PYTHON_VERSION}".encode())
    return digest.hexdigest()[:32]


def build_layer_cache(requirements: Path = REQUIREMENTS_FILE, cache_root: Path | None = None) -> Path:
    """Return the cached layer directory (holding ``python/``), building it on first use."""
    cache_root = cache_root or default_cache_root()
    cached = cache_root / layer_cache_key(requirements)
    if (cached / "python").is_dir():
        return cached
    cache_root.mkdir(parents=True, exist_ok=True)
    # Build next to the cache, then rename: a crashed or concurrent build never leaves
    # a half-filled cache entry behind (rename is atomic on one filesystem).
    staging = Path(tempfile.mkdtemp(prefix="build-", dir=cache_root))
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--platform",
        PIP_PLATFORM,
        "--implementation",
        "cp",
        "--python-version",
        LAMBDA_PYTHON_VERSION,
        "--only-binary=:all:",
        "-r",
        str(requirements),
        "--target",
        str(staging / "python"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        last_line = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise LayerBundlingError(f"building the Lambda layer from {requirements} failed: {last_line}")
    try:
        staging.rename(cached)
    except OSError:
        # Another process finished the same build first; its result is identical.
        shutil.rmtree(staging, ignore_errors=True)
    return cached


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:  # other filesystem: fall back to a copy
        shutil.copy2(source, destination)


@jsii.implements(ILocalBundling)
class CachedPipLayerBundling:
    """ILocalBundling that fills the asset output directory from the layer cache."""

    def __init__(self, requirements: Path = REQUIREMENTS_FILE, cache_root: Path | None = None) -> None:
        self._requirements = requirements
        self._cache_root = cache_root

    def try_bundle(self, output_dir: str, *args: Any, **kwargs: Any) -> bool:
        # jsii passes the BundlingOptions positionally or as keywords; they are not needed here.
        cached = build_layer_cache(self._requirements, self._cache_root)
        shutil.copytree(cached, output_dir, dirs_exist_ok=True, copy_function=_link_or_copy)
        return True


def dependencies_layer(scope: Construct, construct_id: str) -> lambda_.LayerVersion:
    """The third-party dependencies of gtchain_runtime's requirements.txt as an arm64 layer."""
    return lambda_.LayerVersion(
        scope,
        construct_id,
        description="gtchain runtime dependencies (gtchain_runtime requirements.txt, arm64 wheels)",
        compatible_runtimes=[LAMBDA_RUNTIME],
        compatible_architectures=[LAMBDA_ARCHITECTURE],
        code=lambda_.Code.from_asset(
            str(REQUIREMENTS_FILE.parent),
            # The hash is known before bundling, so an already staged asset is reused
            # and CDK never hashes the (large) output.
            asset_hash_type=AssetHashType.CUSTOM,
            asset_hash=layer_cache_key(),
            bundling=BundlingOptions(
                # Required by the API but never used: local bundling always succeeds or raises.
                image=DockerImage.from_registry("gtchain/local-bundling-only"),
                local=CachedPipLayerBundling(),
            ),
        ),
    )


def _shipped_files() -> list[tuple[Path, str]]:
    """(source, path in the zip) of every file the functions run, in a stable order."""
    files: list[tuple[Path, str]] = []
    for source in sorted(RUNTIME_PACKAGE_DIR.rglob("*")):
        relative = source.relative_to(RUNTIME_PACKAGE_DIR)
        if source.is_file() and not _never_shipped(relative):
            files.append((source, f"{RUNTIME_PACKAGE_DIR.name}/{relative.as_posix()}"))
    return files


def _never_shipped(relative: Path) -> bool:
    return any(part in NEVER_SHIPPED_DIRS for part in relative.parts) or any(
        relative.match(pattern) for pattern in NEVER_SHIPPED_FILES
    )


@functools.cache
def function_code_hash() -> str:
    """Hash of the shipped files' paths and contents: the asset's identity, known before
    bundling, so CDK stages the code once per synth however many functions use it."""
    digest = hashlib.sha256()
    for source, destination in _shipped_files():
        digest.update(destination.encode())
        digest.update(b"\0")
        digest.update(source.read_bytes())
    return digest.hexdigest()[:32]


@jsii.implements(ILocalBundling)
class RuntimePackageBundling:
    """Copies the runtime package into the code asset under its own name, leaving out caches
    and the layer's requirements: the same files whether it comes from a checkout or a wheel."""

    def try_bundle(self, output_dir: str, *args: Any, **kwargs: Any) -> bool:
        for source, destination in _shipped_files():
            target = Path(output_dir, destination)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        return True


def function_code() -> lambda_.Code:
    """The gtchain_runtime package (handlers, domain, adapters, settings)."""
    return lambda_.Code.from_asset(
        str(RUNTIME_PACKAGE_DIR),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=function_code_hash(),
        bundling=BundlingOptions(
            image=DockerImage.from_registry("gtchain/local-bundling-only"),
            local=RuntimePackageBundling(),
        ),
    )
