"""The names of the metrics the handlers emit, shared with the stack's alarm and dashboard.

Pure constants (no Powertools, no boto3), so stacks/monitoring.py can import them.
"""

from __future__ import annotations

CHAINS_STARTED = "ChainsStarted"
CHAINS_COMPLETED = "ChainsCompleted"
GIVE_UPS = "GiveUps"
OBJECTS_RESENT = "ObjectsResent"
OBJECTS_SKIPPED = "ObjectsSkipped"
AWS_RETRIES = "AwsRetries"
