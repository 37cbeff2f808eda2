"""Builds the CDK app from the projects file: shared by app.py, the tests and the benchmark."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aws_cdk as cdk

from gtchain_cdk.checkout import CHECKOUT_ROOT
from gtchain_cdk.config import ProjectConfig, load_projects
from gtchain_cdk.project_stack import GtChainProjectStack

APP_ROOT = CHECKOUT_ROOT  # the folder of this repository's cdk.json and app.py
PROJECTS_FILE_CONTEXT_KEY = "gtchain:projectsFile"
DEFAULT_PROJECTS_FILE = "projects.json"
# cdk-nag runs when it is installed (dev extras) unless this context flag is "false".
NAG_CONTEXT_KEY = "gtchain:nag"


def cdk_json_context() -> dict[str, Any]:
    """The context of cdk.json (feature flags, gtchain keys)."""
    settings = json.loads((APP_ROOT / "cdk.json").read_text(encoding="utf-8"))
    return dict(settings.get("context", {}))


def create_app(*, outdir: str | None = None, context: dict[str, Any] | None = None) -> cdk.App:
    """A cdk.App that synthesizes the same way under the CDK CLI and outside it.

    cdk.json's context is always the base (outside the CLI nobody else reads it); context
    the CLI passes (``-c``, CDK_CONTEXT_JSON) takes precedence inside cdk.App, and
    ``context`` here overrides single keys. The output directory is outdir, else the CLI's
    (CDK_OUTDIR), else ./cdk.out next to cdk.json.
    """
    merged = cdk_json_context()
    merged.update(context or {})
    if outdir is None and "CDK_OUTDIR" not in os.environ:
        outdir = str(APP_ROOT / "cdk.out")
    return cdk.App(outdir=outdir, context=merged)


def projects_file(app: cdk.App) -> Path:
    """The projects file named by context, relative to cdk.json's folder."""
    configured = app.node.try_get_context(PROJECTS_FILE_CONTEXT_KEY) or DEFAULT_PROJECTS_FILE
    path = Path(str(configured))
    return path if path.is_absolute() else APP_ROOT / path


def load_app_projects(app: cdk.App) -> tuple[ProjectConfig, ...]:
    """Read and validate the projects once; raises stacks.config.ConfigError."""
    return load_projects(projects_file(app))


def add_project_stacks(app: cdk.App, projects: Sequence[ProjectConfig]) -> list[GtChainProjectStack]:
    return [GtChainProjectStack(app, project) for project in projects]


def nag_requested(app: cdk.App) -> bool:
    return str(app.node.try_get_context(NAG_CONTEXT_KEY)).lower() != "false"


def apply_nag_packs(app: cdk.App) -> bool:
    """Register cdk-nag's AwsSolutions and Serverless packs as policy-validation plugins.

    Unacknowledged findings then fail synth with CDK's validation report. Returns False
    when cdk-nag is not installed (a runtime-only install): synth goes on without it.
    """
    try:
        import cdk_nag
    except ImportError:
        return False
    cdk.Validations.of(app).add_plugins(
        cdk_nag.AwsSolutionsChecks(app, verbose=True), cdk_nag.ServerlessChecks(app, verbose=True)
    )
    return True
