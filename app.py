#!/usr/bin/env python3
"""CDK entry point: one GtChain-<project> stack per project of the projects file.

The projects file is named by the context key ``gtchain:projectsFile`` (default
``projects.json``, relative to this folder) and validated once, here: a mistake prints one
line naming the field and exits non-zero. No AWS call happens at synth.
"""

from __future__ import annotations

import sys

from gtchain_cdk.node_runtime import use_project_node_for_jsii

use_project_node_for_jsii()  # before aws_cdk is imported: that starts the jsii runtime

from gtchain_cdk.app_factory import (  # noqa: E402
    add_project_stacks,
    apply_nag_packs,
    create_app,
    load_app_projects,
    nag_requested,
)
from gtchain_cdk.bundling import LayerBundlingError  # noqa: E402
from gtchain_cdk.config import ConfigError  # noqa: E402


def main() -> int:
    app = create_app()
    try:
        projects = load_app_projects(app)
    except ConfigError as error:
        print(f"gtchain: configuration error: {error}", file=sys.stderr)
        return 2
    try:
        add_project_stacks(app, projects)
    except LayerBundlingError as error:
        print(f"gtchain: {error}", file=sys.stderr)
        return 3
    if nag_requested(app) and not apply_nag_packs(app):
        print(
            "gtchain: cdk-nag is not installed (pip install -e '.[dev]'): skipping its checks",
            file=sys.stderr,
        )
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
