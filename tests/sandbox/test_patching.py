"""moto patches are registered with what they replace, undo restores it, and a moto version
they were not written for is refused."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from gtchain.sandbox.install import SERVICE_PATCHES, applied, apply_all, undo_all
from gtchain.sandbox.patching import MOTO_VERSION, MotoVersionError, PatchSet, check_moto_version


class Target:
    def greet(self) -> str:
        return "hello"

    @classmethod
    def kind(cls) -> str:
        return "target"


def _register(patches: PatchSet) -> None:
    patches.wrap(Target, "greet", lambda original: lambda self: original(self).upper())
    patches.replace(Target, "kind", classmethod(lambda cls: "patched"))
    patches.replace(Target, "added", "new")


def _patch_set(installed: str = MOTO_VERSION) -> PatchSet:
    return PatchSet("test", _register, installed_version=lambda: installed)


@pytest.fixture
def target_patches() -> Iterator[PatchSet]:
    patches = _patch_set()
    yield patches
    patches.undo()


def test_install_records_each_original_and_replacement(target_patches: PatchSet) -> None:
    original_greet = Target.__dict__["greet"]
    target_patches.install()
    target_patches.install()  # idempotent: nothing wrapped twice
    assert Target().greet() == "HELLO" and Target.kind() == "patched" and Target.added == "new"  # type: ignore[attr-defined]
    recorded = {(p.attribute, p.original is original_greet) for p in target_patches.patches}
    assert recorded == {("greet", True), ("kind", False), ("added", False)}


def test_undo_restores_every_original_and_removes_what_was_added(target_patches: PatchSet) -> None:
    target_patches.install()
    target_patches.undo()
    assert Target().greet() == "hello" and Target.kind() == "target" and not hasattr(Target, "added")
    assert not target_patches.installed and target_patches.patches == []
    target_patches.install()  # and can be installed again
    assert Target().greet() == "HELLO"


def test_a_patch_that_fails_to_install_leaves_nothing_behind() -> None:
    def register(patches: PatchSet) -> None:
        patches.replace(Target, "added", "new")
        patches.wrap(Target, "greet", lambda original: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        PatchSet("broken", register, installed_version=lambda: MOTO_VERSION).install()
    assert not hasattr(Target, "added") and Target().greet() == "hello"


def test_another_moto_version_is_refused_naming_both_versions() -> None:
    patches = _patch_set(installed="5.3.0")
    with pytest.raises(MotoVersionError, match=r"written for moto 5\.2\.5, but moto 5\.3\.0 is installed"):
        patches.install()
    assert not patches.installed and Target().greet() == "hello"


def test_the_installed_moto_is_the_version_the_patches_were_written_for() -> None:
    check_moto_version()  # pyproject.toml pins it
    with pytest.raises(MotoVersionError, match="moto none is installed"):
        check_moto_version(installed="none")


def test_patches_apply_to_modules_and_instances() -> None:
    module_like = SimpleNamespace(function=lambda: "moto")
    instance_target = SimpleNamespace(killer=None)

    def register(patches: PatchSet) -> None:
        patches.replace(module_like, "function", lambda: "sandbox")
        patches.replace(instance_target, "killer", print)

    patches = PatchSet("namespaces", register, installed_version=lambda: MOTO_VERSION)
    patches.install()
    assert module_like.function() == "sandbox" and instance_target.killer is print
    patches.undo()
    assert module_like.function() == "moto" and instance_target.killer is None


def _defined_by_the_sandbox(value: Any) -> bool:
    function = getattr(value, "__func__", None) or getattr(value, "fget", None) or value
    return str(getattr(function, "__module__", "")).startswith("gtchain.")


def test_every_service_patch_replaces_moto_s_own_code_and_undo_all_puts_it_back() -> None:
    apply_all()
    try:
        patches = [patch for patch_set in SERVICE_PATCHES for patch in patch_set.patches]
        assert patches, "no patch registered"
        # The IAM guard is wrapped by the fault guard: the only original that is the sandbox's.
        wrapped_twice = [p for p in patches if _defined_by_the_sandbox(p.original)]
        assert [(p.target.__name__, p.attribute) for p in wrapped_twice] == [
            ("DomainDispatcherApplication", "__call__")
        ]
        undo_all()
        assert not applied()
        for patch in patches:
            current = vars(patch.target).get(patch.attribute)
            assert current is not patch.replacement, f"{patch.target}.{patch.attribute} still patched"
    finally:
        apply_all()
    assert applied()
