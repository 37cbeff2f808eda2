"""The ledger table's schema (docs/architecture.md, "Ledger"): the stack creates the table with
these keys and index (stacks/gtchain_cdk/ledger.py), the adapter reads and writes them
(adapters/ledger.py). No boto3 here, so the stack imports it without the Lambda's dependencies."""

from __future__ import annotations

PARTITION_KEY = "job_name"
SORT_KEY = "record"
BY_ROOT_INDEX = "by-root"
BY_ROOT_PARTITION_KEY = "root"
BY_ROOT_SORT_KEY = "recorded_at"

# The sort key's values.
DECISION_RECORD = "decision"
# Written under the parent before CreateLabelingJob: the child it names is gtchain's, even while
# the parent's decision is not recorded yet (the child may finish first).
CHILD_CLAIM_RECORD = "child"
FAILURE_RECORD_PREFIX = "failure#"
# A job left alone because it ended before the project's adoption start (domain/adoption.py).
IGNORED_RECORD = "ignored"
# The project's own records sit under a partition key no job name can take ('#' is not in one).
PROJECT_KEY = "gtchain#project"
ADOPTION_START_RECORD = "adoption-start"
