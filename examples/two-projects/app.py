#!/usr/bin/env python3
"""A platform team's own CDK app that provisions two gtchain projects in one of its stacks.

Everything gtchain needs comes from the installed wheel (``pip install gtchain-*.whl``):
the constructs, the Lambda code and its dependency layer. See README.md beside this file.
"""

import aws_cdk as cdk
from constructs import Construct
from projects import PEDESTRIANS, STREET_SCENES

from gtchain.cdk import GtChainProject


class LabelingPlatformStack(cdk.Stack):
    """The team's stack: whatever else it holds, plus one GtChainProject per labeling project."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.street_scenes = GtChainProject(self, "StreetScenes", config=STREET_SCENES)
        # The same construct, configured with keyword arguments instead of a model.
        self.pedestrians = GtChainProject(
            self, "Pedestrians", **PEDESTRIANS.model_dump(exclude_defaults=True)
        )
        cdk.CfnOutput(self, "StreetScenesBucket", value=self.street_scenes.storage.bucket.bucket_name)
        cdk.CfnOutput(
            self, "PedestriansStateMachine", value=self.pedestrians.resume.state_machine.state_machine_arn
        )


app = cdk.App()
LabelingPlatformStack(
    app, "LabelingPlatform", env=cdk.Environment(account="111122223333", region="eu-west-1")
)
app.synth()
