"""The integration tier: handlers and adapters against moto (in-process `mock_aws`)."""

from tests.support.project_aws import project_aws

__all__ = ["project_aws"]
