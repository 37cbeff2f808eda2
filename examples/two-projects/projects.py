"""The two labeling projects of this example, as gtchain's typed configuration.

Kept apart from app.py so the repository's test can hand the same configuration to gtchain's
own app.py and compare the templates (tests/package/test_example_app.py).
"""

from gtchain.cdk import ChainingPolicy, ProjectConfig

ACCOUNT = "111122223333"

# A project whose bucket gtchain creates (TLS only, versioned, access-logged, retained).
STREET_SCENES = ProjectConfig(
    name="streetscenes",
    job_name_prefix="Streetscenes",
    labeling_role_arn=f"arn:aws:iam::{ACCOUNT}:role/GroundTruthLabelingRole",
    notification_emails=("labeling-team@example.com",),
    policy=ChainingPolicy(max_depth=5, price_per_object_usd=0.08),
)

# A project on a bucket that already holds its data, with a private work team and a budget.
PEDESTRIANS = ProjectConfig(
    name="pedestrians",
    job_name_prefix="PedCount",
    labeling_role_arn=f"arn:aws:iam::{ACCOUNT}:role/service-role/PedLabeling",
    workteam_arn=f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:workteam/private-crowd/ped-team",
    existing_bucket_name="ped-labeling-data",
    policy=ChainingPolicy(max_depth=3, chain_human_label_budget=20_000),
)
