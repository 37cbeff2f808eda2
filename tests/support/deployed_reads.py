"""Reads of what the deployed app left behind: final manifests, ledger decisions, the messages
published to the project's topic, labeling jobs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from moto.sns.models import sns_backends

from gtchain.demo.runner import ScenarioResult
from gtchain.sandbox import Sandbox

# The sandbox's account and region.
ACCOUNT, REGION = "123456789012", "us-east-1"


def manifest_records(path: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def decisions_by_job(result: ScenarioResult) -> dict[str, str]:
    return {d["job_name"]: d["decision"] for d in result.decisions}


def notifications(topic_arn: str) -> list[tuple[str | None, str]]:
    topic = sns_backends[ACCOUNT][REGION].topics[topic_arn]
    return [(subject, message) for _id, message, subject, _attrs, _group in topic.sent_notifications]


def listed_jobs(sandbox: Sandbox, name_contains: str) -> list[str]:
    pages = (
        sandbox.client("sagemaker").get_paginator("list_labeling_jobs").paginate(NameContains=name_contains)
    )
    return sorted(job["LabelingJobName"] for page in pages for job in page["LabelingJobSummaryList"])
