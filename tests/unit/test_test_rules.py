"""Rules of the test suite itself: test modules share code only through tests/support, and the
unit tier runs without moto (the emulator and its patches stay out of pure tests)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO_ROOT, TESTS


def imported_modules(path: Path, text: str | None = None) -> list[str]:
    """Absolute names of the modules the file `path` (or `text` as that file) imports, at any
    depth of its code: `from a import b` counts as `a` and `a.b` (b may be a module)."""
    package = ".".join(path.relative_to(REPO_ROOT).parent.parts)
    source = path.read_text(encoding="utf-8") if text is None else text
    names: list[str] = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            module = f"{base}.{node.module}" if node.level and node.module else node.module or base
            names.append(module)
            names.extend(f"{module}.{alias.name}" for alias in node.names)
    return names


def is_test_module(name: str) -> bool:
    parts = name.split(".")
    return parts[0] == "tests" and (parts[-1].startswith("test_") or parts[-1] == "conftest")


def test_no_test_module_imports_another_test_module_or_a_conftest() -> None:
    offenders = {
        str(path.relative_to(REPO_ROOT)): found
        for path in sorted(TESTS.rglob("*.py"))
        if (found := sorted({name for name in imported_modules(path) if is_test_module(name)}))
    }
    assert offenders == {}, f"share these through tests/support instead: {offenders}"


def test_the_rule_sees_absolute_relative_and_nested_imports() -> None:
    source = (
        "from tests.unit.test_policy import X\n"
        "from .test_budget import Y\n"
        "from . import conftest\n"
        "def f():\n    import tests.sandbox.test_faults\n"
        "from tests.support.paths import TESTS\n"
    )
    as_if = TESTS / "unit" / "test_anything.py"
    found = {name for name in imported_modules(as_if, source) if is_test_module(name)}
    assert found == {
        "tests.unit.test_policy",
        "tests.unit.test_budget",
        "tests.unit.conftest",
        "tests.sandbox.test_faults",
    }


def test_importing_the_unit_tier_does_not_import_moto() -> None:
    """What pytest imports to run the unit tier: the root and unit conftests and every module."""
    modules = ["tests.conftest", "tests.unit.conftest"] + [
        f"tests.unit.{path.stem}" for path in sorted((TESTS / "unit").glob("test_*.py"))
    ]
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.partition('.')[0] == 'moto'"
        " or m.startswith('gtchain.sandbox'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []
