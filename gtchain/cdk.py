"""The construct library: gtchain inside your own CDK app.

    from gtchain.cdk import GtChainProject

    GtChainProject(
        stack,
        "StreetScenes",
        name="streetscenes",
        job_name_prefix="streetscenes",
        labeling_role_arn="arn:aws:iam::111122223333:role/GroundTruthLabeling",
        existing_bucket_name="my-labeling-data",  # optional: import a bucket you already have
        policy={"max_depth": 3, "chain_human_label_budget": 20000},
    )

One construct per labeling project; several can share a stack. The configuration model is the
one of ``projects.json`` (README, "Configuration"). The Lambda code and its dependency layer
come from this installed package: no checkout of the gtchain repository is needed.
"""

from gtchain_cdk.chaining import GtChainProject
from gtchain_cdk.config import (
    ChainingPolicy,
    ConfigError,
    DebugOptions,
    Limits,
    ProjectConfig,
    load_projects,
    parse_projects,
)
from gtchain_cdk.nag import acknowledge

__all__ = [
    "ChainingPolicy",
    "ConfigError",
    "DebugOptions",
    "GtChainProject",
    "Limits",
    "ProjectConfig",
    "acknowledge",
    "load_projects",
    "parse_projects",
]
