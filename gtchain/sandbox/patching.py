"""Patches of moto, each registered with the original it replaces, undoable, version-checked.

Every addition the sandbox makes to moto is a :class:`Patch`: (target, attribute, original,
replacement). A service package describes its patches in a ``register(patches)`` function;
:class:`PatchSet` runs it at install time (so a replacement wraps whatever is there then: the
fault guard wraps the IAM guard), sets each attribute, and records what it replaced, so that
``undo()`` puts every original back, newest first. The patches were written against one moto
version (:data:`MOTO_VERSION`, pinned in pyproject.toml); on any other they refuse to install
rather than misbehave somewhere deep in a test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from gtchain.sandbox.errors import SandboxError

MOTO_VERSION = "5.2.5"
_ABSENT = object()  # the attribute did not exist before the patch: undo deletes it


class MotoVersionError(SandboxError):
    """The installed moto is not the version the patches were written for."""


def installed_moto_version() -> str:
    try:
        return version("moto")
    except PackageNotFoundError:
        return "none"


def check_moto_version(expected: str = MOTO_VERSION, installed: str | None = None) -> None:
    """Raise MotoVersionError unless ``installed`` (default: the installed moto) is ``expected``."""
    found = installed_moto_version() if installed is None else installed
    if found != expected:
        raise MotoVersionError(
            f"the sandbox's patches were written for moto {expected}, but moto {found} is installed: "
            f"install moto=={expected} (pyproject.toml pins it) or port the patches"
        )


@dataclass(frozen=True)
class Patch:
    """One replaced attribute: ``original`` is what ``target.__dict__`` held (or absent)."""

    target: Any
    attribute: str
    original: Any
    replacement: Any


@dataclass(frozen=True)
class _Planned:
    target: Any
    attribute: str
    make: Callable[[Any], Any]  # the current value -> the replacement


class PatchSet:
    """The patches of one emulated service; ``install()`` and ``undo()`` are idempotent."""

    def __init__(
        self,
        name: str,
        register: Callable[[PatchSet], None],
        *,
        moto_version: str = MOTO_VERSION,
        installed_version: Callable[[], str] = installed_moto_version,
    ) -> None:
        self.name = name
        self._register = register
        self._moto_version = moto_version
        self._installed_version = installed_version
        self._planned: list[_Planned] = []
        self._applied: list[Patch] = []
        self._after_change: list[Callable[[], None]] = []
        self._lock = threading.RLock()
        self._installed = False

    # -- what register() calls -------------------------------------------------------------
    def wrap(self, target: Any, attribute: str, make: Callable[[Any], Any]) -> None:
        """Replace ``target.attribute`` by ``make(current value)`` (a wrapper of the original)."""
        self._planned.append(_Planned(target, attribute, make))

    def replace(self, target: Any, attribute: str, replacement: Any) -> None:
        """Replace ``target.attribute`` by ``replacement`` (or add it)."""
        self.wrap(target, attribute, lambda _original: replacement)

    def after_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after installing and after undoing (e.g. to drop a cache)."""
        self._after_change.append(callback)

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def installed(self) -> bool:
        return self._installed

    @property
    def patches(self) -> list[Patch]:
        """The patches in place, in the order they were installed."""
        with self._lock:
            return list(self._applied)

    def install(self) -> None:
        with self._lock:
            if self._installed:
                return
            check_moto_version(self._moto_version, self._installed_version())
            self._planned, self._after_change = [], []
            self._register(self)
            try:
                for planned in self._planned:
                    self._apply(planned)
            except BaseException:
                self._restore()
                raise
            self._installed = True
            self._notify()

    def undo(self) -> None:
        with self._lock:
            if not self._installed:
                return
            self._restore()
            self._installed = False
            self._notify()

    def _apply(self, planned: _Planned) -> None:
        target, attribute = planned.target, planned.attribute
        original = vars(target).get(attribute, _ABSENT) if hasattr(target, "__dict__") else _ABSENT
        replacement = planned.make(getattr(target, attribute, None))
        setattr(target, attribute, replacement)
        self._applied.append(Patch(target, attribute, original, replacement))

    def _restore(self) -> None:
        while self._applied:
            patch = self._applied.pop()
            if patch.original is _ABSENT:
                delattr(patch.target, patch.attribute)
            else:
                setattr(patch.target, patch.attribute, patch.original)

    def _notify(self) -> None:
        for callback in self._after_change:
            callback()
