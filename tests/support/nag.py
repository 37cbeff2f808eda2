"""cdk-nag findings of a construct tree (AwsSolutions + Serverless packs)."""

from __future__ import annotations

from dataclasses import dataclass

import cdk_nag
from constructs import IConstruct


@dataclass(frozen=True)
class Finding:
    rule: str
    construct_path: str


def nag_findings(scope: IConstruct) -> list[Finding]:
    findings = []
    for pack in (cdk_nag.AwsSolutionsChecks(), cdk_nag.ServerlessChecks()):
        report = pack.validate_scope(scope)
        for violation in report.violations:
            for resource in violation.violating_resources:
                findings.append(Finding(violation.rule_name, resource.construct_path or ""))
    return findings
