"""The names of the metrics the handlers emit, shared with the stack's alarm and dashboard, and
the Powertools service name and metrics namespace they are emitted under (the stack sets them in
the functions' environment; handlers/observability.py falls back to them).

Pure constants (no Powertools, no boto3), so stacks/monitoring.py can import them.
"""

from __future__ import annotations

POWERTOOLS_SERVICE_NAME = "gtchain"
POWERTOOLS_METRICS_NAMESPACE = "GtChain"

CHAINS_STARTED = "ChainsStarted"
CHAINS_COMPLETED = "ChainsCompleted"
GIVE_UPS = "GiveUps"
OBJECTS_RESENT = "ObjectsResent"
OBJECTS_SKIPPED = "ObjectsSkipped"
AWS_RETRIES = "AwsRetries"
