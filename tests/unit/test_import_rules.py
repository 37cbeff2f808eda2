"""The import rules of docs/architecture.md ("Map"), read with `ast`, not by importing.

- the domain (``gtchain_runtime.domain``) is pure: no AWS SDK, no Lambda tooling, no edges
  (adapters, handlers); botocore only in ``service_model.py``, which reads SageMaker's model;
- the runtime (``gtchain_runtime``) never imports ``gtchain`` (CLI, sandbox, demo) nor the stacks;
- the emulator (``gtchain.sandbox``) never imports the runtime, the stacks, the demo or the CLI:
  it is an independent model of AWS;
- the stacks (``gtchain_cdk``) never import the sandbox.

A new module or subpackage is covered as soon as it exists, and each offence is reported as
file:line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Rule:
    """What the modules under ``folder`` (package ``package``) must not import."""

    name: str
    folder: str  # relative to the repository
    package: str
    forbidden: tuple[str, ...]
    # (module prefix, the one file under `folder` allowed to import it) exceptions
    only_in: tuple[tuple[str, str], ...] = ()


RULES = (
    Rule(
        "the domain is pure",
        "lambdas/gtchain_runtime/domain",
        "gtchain_runtime.domain",
        ("boto3", "aws_lambda_powertools", "gtchain_runtime.adapters", "gtchain_runtime.handlers"),
        # It reads the SageMaker service model shipped inside botocore (no AWS call).
        only_in=(("botocore", "service_model.py"),),
    ),
    Rule(
        "the runtime stays out of the CLI, sandbox and stacks",
        "lambdas/gtchain_runtime",
        "gtchain_runtime",
        ("gtchain", "gtchain_cdk"),
    ),
    Rule(
        "the emulator is an independent model of AWS",
        "gtchain/sandbox",
        "gtchain.sandbox",
        ("gtchain_runtime", "gtchain_cdk", "gtchain.demo", "gtchain.cli"),
    ),
    Rule("the stacks never import the sandbox", "stacks/gtchain_cdk", "gtchain_cdk", ("gtchain.sandbox",)),
)


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


def offences(rule: Rule, repository: Path = REPOSITORY) -> list[str]:
    """One "file:line: statement (why)" per import statement under the rule's folder that breaks it."""
    folder = repository / rule.folder
    problems = []
    for path in sorted(folder.rglob("*.py")):
        package = ".".join([rule.package, *path.parent.relative_to(folder).parts])
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, names in imports(tree, package):
            where = f"{path.relative_to(repository)}:{node.lineno}: {ast.unparse(node)}"
            forbidden = [n for n in names if any(is_within(n, prefix) for prefix in rule.forbidden)]
            if forbidden:
                problems.append(f"{where} (imports {', '.join(forbidden)}: {rule.name})")
            for prefix, allowed_file in rule.only_in:
                if any(is_within(n, prefix) for n in names) and path != folder / allowed_file:
                    problems.append(f"{where} ({prefix}: only {rule.folder}/{allowed_file} imports it)")
    return problems


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_each_folder_imports_only_what_it_may(rule: Rule) -> None:
    assert list((REPOSITORY / rule.folder).rglob("*.py")), f"no modules under {rule.folder}"
    assert offences(rule) == []


def test_service_model_says_why_it_reads_botocore() -> None:
    path = REPOSITORY / "lambdas/gtchain_runtime/domain/service_model.py"
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert "botocore" in docstring and "never calls AWS" in docstring


@pytest.fixture
def fake_repository(tmp_path: Path) -> Path:
    domain = tmp_path / "lambdas" / "gtchain_runtime" / "domain"
    (domain / "manifest").mkdir(parents=True)
    (domain / "__init__.py").write_text("")
    (domain / "service_model.py").write_text("import botocore.session\n")
    (domain / "manifest" / "__init__.py").write_text("from .engine import plan\n")
    (tmp_path / "gtchain" / "sandbox" / "s3").mkdir(parents=True)
    (tmp_path / "stacks" / "gtchain_cdk").mkdir(parents=True)
    return tmp_path


DOMAIN_RULE, RUNTIME_RULE, EMULATOR_RULE, STACKS_RULE = RULES


@pytest.mark.parametrize(
    ("rule", "file", "source", "offence"),
    [
        (DOMAIN_RULE, "manifest/engine.py", "import os, boto3\n", ":1: import os, boto3 (imports boto3: "),
        (
            DOMAIN_RULE,
            "manifest/engine.py",
            "\n\ndef f():\n    from boto3.session import Session\n",
            ":4: from",
        ),
        (
            DOMAIN_RULE,
            "manifest/engine.py",
            "from aws_lambda_powertools import Logger\n",
            "aws_lambda_powertools.Logger",
        ),
        (
            DOMAIN_RULE,
            "manifest/engine.py",
            "from gtchain_runtime import handlers\n",
            "gtchain_runtime.handlers:",
        ),
        (
            DOMAIN_RULE,
            "manifest/engine.py",
            "from ...adapters import s3_stream\n",
            "gtchain_runtime.adapters.s3_stream:",
        ),
        (DOMAIN_RULE, "manifest/engine.py", "from botocore.model import Shape\n", "(botocore: only lambdas/"),
        (
            RUNTIME_RULE,
            "domain/manifest/engine.py",
            "from gtchain.sandbox import Sandbox\n",
            "gtchain.sandbox.Sandbox",
        ),
        (RUNTIME_RULE, "domain/manifest/engine.py", "import gtchain_cdk.naming\n", "gtchain_cdk.naming"),
        (
            EMULATOR_RULE,
            "s3/patches.py",
            "from gtchain_runtime.domain import layout\n",
            "gtchain_runtime.domain",
        ),
        (
            EMULATOR_RULE,
            "s3/patches.py",
            "from gtchain.demo.scenarios import SCENARIOS\n",
            "gtchain.demo.scenarios",
        ),
        (EMULATOR_RULE, "s3/patches.py", "from ...cli import main\n", "gtchain.cli.main"),
        (
            STACKS_RULE,
            "pipeline.py",
            "from gtchain.sandbox.s3 import patches\n",
            "gtchain.sandbox.s3.patches",
        ),
    ],
)
def test_an_offence_is_named_by_file_and_line(
    fake_repository: Path, rule: Rule, file: str, source: str, offence: str
) -> None:
    path = fake_repository / rule.folder / file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    (problem,) = offences(rule, fake_repository)
    assert problem.startswith(f"{rule.folder}/{file}:") and offence in problem


def test_what_a_folder_may_import_is_no_offence(fake_repository: Path) -> None:
    allowed = fake_repository / "gtchain/sandbox/s3/patches.py"
    allowed.write_text(
        "import botocore\nfrom moto.s3.models import FakeBucket\nfrom gtchain.sandbox.errors import E\n"
    )
    assert offences(EMULATOR_RULE, fake_repository) == []
    assert offences(DOMAIN_RULE, fake_repository) == []  # service_model.py's botocore
