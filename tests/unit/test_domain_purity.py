"""The domain is pure (docs/architecture.md): no AWS SDK, no Lambda tooling, no edges.

Read with `ast`, not by importing, so a new module or subpackage of the domain is covered as
soon as it exists, and an offence is reported as file:line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "lambdas" / "gtchain_runtime" / "domain"
DOMAIN_PACKAGE = "gtchain_runtime.domain"
FORBIDDEN = ("boto3", "aws_lambda_powertools", "gtchain_runtime.adapters", "gtchain_runtime.handlers")
# The one domain module that may import botocore: it reads the SageMaker service model shipped
# inside botocore (no AWS call).
BOTOCORE_MODULE = "service_model.py"


def imports(tree: ast.Module, package: str) -> Iterator[tuple[ast.Import | ast.ImportFrom, list[str]]]:
    """Every import statement in `tree` (nested ones too) with the absolute names it imports."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield node, [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: resolved against the module's package
                parts = package.split(".")
                module = ".".join([*parts[: len(parts) - node.level + 1], *filter(None, [module])])
            # `from gtchain_runtime import adapters` imports gtchain_runtime.adapters
            yield node, [f"{module}.{alias.name}" for alias in node.names]


def is_within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def offences(domain: Path) -> list[str]:
    """One "file:line: statement (why)" per offending import statement under `domain`."""
    repository = domain.parents[2]
    problems = []
    for path in sorted(domain.rglob("*.py")):
        package = ".".join([DOMAIN_PACKAGE, *path.parent.relative_to(domain).parts])
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, names in imports(tree, package):
            where = f"{path.relative_to(repository)}:{node.lineno}: {ast.unparse(node)}"
            forbidden = [n for n in names if any(is_within(n, prefix) for prefix in FORBIDDEN)]
            if forbidden:
                problems.append(f"{where} (imports {', '.join(forbidden)}: not in the domain)")
            elif any(is_within(n, "botocore") for n in names) and path != domain / BOTOCORE_MODULE:
                problems.append(f"{where} (botocore: only domain/{BOTOCORE_MODULE} reads its model)")
    return problems


def test_the_domain_imports_no_aws_sdk_lambda_tooling_or_edges() -> None:
    assert list(DOMAIN.rglob("*.py")), f"no domain modules under {DOMAIN}"
    assert offences(DOMAIN) == []


@pytest.fixture
def fake_domain(tmp_path: Path) -> Path:
    domain = tmp_path / "lambdas" / "gtchain_runtime" / "domain"
    (domain / "manifest").mkdir(parents=True)
    (domain / "__init__.py").write_text("")
    (domain / "service_model.py").write_text("import botocore.session\n")
    (domain / "manifest" / "__init__.py").write_text("from .engine import plan\n")
    return domain


@pytest.mark.parametrize(
    ("source", "offence"),
    [
        ("import os, boto3\n", ":1: import os, boto3 (imports boto3: not in the domain)"),
        ("\n\ndef f():\n    from boto3.session import Session\n", ":4: from boto3.session import Session"),
        ("from aws_lambda_powertools import Logger\n", "(imports aws_lambda_powertools.Logger"),
        ("from gtchain_runtime.adapters.sagemaker import LabelingJobs\n", "gtchain_runtime.adapters."),
        ("from gtchain_runtime import handlers\n", "(imports gtchain_runtime.handlers:"),
        ("from ...adapters import s3_stream\n", "(imports gtchain_runtime.adapters.s3_stream:"),
        ("from botocore.model import Shape\n", "(botocore: only domain/service_model.py reads its model)"),
    ],
)
def test_an_offence_is_named_by_file_and_line(fake_domain: Path, source: str, offence: str) -> None:
    (fake_domain / "manifest" / "engine.py").write_text(source)
    (problem,) = offences(fake_domain)
    assert problem.startswith("lambdas/gtchain_runtime/domain/manifest/engine.py:") and offence in problem
