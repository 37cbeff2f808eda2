from __future__ import annotations

import pytest

from gtchain_runtime.domain.lineage import (
    LineageError,
    inheritable_tags,
    labeling_mode_override,
    lineage_from_tags,
    resume_opted_out,
)


def test_job_without_lineage_tags_is_a_root() -> None:
    lineage = lineage_from_tags("Streetscenes-Job1", {"team": "x"})
    assert (lineage.root, lineage.parent, lineage.depth, lineage.is_root) == (
        "Streetscenes-Job1",
        None,
        0,
        True,
    )
    assert lineage.tags() == []


def test_child_of_root_then_grandchild() -> None:
    child = lineage_from_tags("Streetscenes-Job1", {}).child()
    assert (child.job_name, child.root, child.parent, child.depth) == (
        "Streetscenes-Job1-chain-1",
        "Streetscenes-Job1",
        "Streetscenes-Job1",
        1,
    )
    assert child.tags() == [
        {"Key": "gtchain:root", "Value": "Streetscenes-Job1"},
        {"Key": "gtchain:parent", "Value": "Streetscenes-Job1"},
        {"Key": "gtchain:depth", "Value": "1"},
    ]
    reread = lineage_from_tags(child.job_name, {t["Key"]: t["Value"] for t in child.tags()})
    assert reread == child
    grandchild = reread.child()
    assert (grandchild.job_name, grandchild.parent, grandchild.depth) == (
        "Streetscenes-Job1-chain-2",
        "Streetscenes-Job1-chain-1",
        2,
    )


def test_partial_lineage_is_an_error_naming_the_missing_tag() -> None:
    with pytest.raises(LineageError, match="missing gtchain:depth"):
        lineage_from_tags("j", {"gtchain:root": "r", "gtchain:parent": "p"})


@pytest.mark.parametrize("depth", ["0", "-1", "two", ""])
def test_bad_depth_is_an_error(depth: str) -> None:
    with pytest.raises(LineageError):
        lineage_from_tags("j", {"gtchain:root": "r", "gtchain:parent": "p", "gtchain:depth": depth})


def test_overrides() -> None:
    assert resume_opted_out({"gtchain:resume": "FALSE"})
    assert not resume_opted_out({"gtchain:resume": "true"})
    assert not resume_opted_out({})
    assert labeling_mode_override({"gtchain:labeling-mode": "Human"}) == "human"
    assert labeling_mode_override({}) is None
    with pytest.raises(LineageError, match="not one of inherit, automated, human"):
        labeling_mode_override({"gtchain:labeling-mode": "robots"})


def test_inheritable_tags_drop_aws_and_old_lineage() -> None:
    tags = [
        {"Key": "team", "Value": "a"},
        {"Key": "aws:cloudformation:stack-name", "Value": "s"},
        {"Key": "AWS:other", "Value": "s"},
        {"Key": "gtchain:root", "Value": "old"},
        {"Key": "gtchain:resume", "Value": "false"},
    ]
    assert inheritable_tags(tags) == [
        {"Key": "team", "Value": "a"},
        {"Key": "gtchain:resume", "Value": "false"},
    ]
