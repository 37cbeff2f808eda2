"""Describe -> CreateLabelingJob round trip: the empty values the service fills into a Describe
response (``OutputConfig.KmsKeyId: ""`` as in
https://github.com/aws/amazon-sagemaker-examples/issues/1945, empty lists, the UiConfig member a
job does not use) are never sent back; the request still validates against botocore's model."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.describes import (
    ALL_FIXTURES,
    assert_valid_create_request,
    chain_request,
    load,
    with_service_empties,
)


def _empties(value: Any, path: str = "") -> list[str]:
    if isinstance(value, dict):
        found = [path] if not value else []
        return found + [p for key, item in value.items() for p in _empties(item, f"{path}.{key}")]
    if isinstance(value, list):
        found = [path] if not value else []
        return found + [p for i, item in enumerate(value) for p in _empties(item, f"{path}[{i}]")]
    return [path] if value == "" or value is None else []


@pytest.mark.parametrize("fixture", ALL_FIXTURES)
def test_service_filled_empties_are_not_sent_back(fixture: str) -> None:
    describe = with_service_empties(load(fixture))
    request = chain_request(describe).request
    assert _empties(request) == []
    assert request["OutputConfig"].get("KmsKeyId") == (load(fixture)["OutputConfig"].get("KmsKeyId") or None)
    assert_valid_create_request(request)


@pytest.mark.parametrize("fixture", ALL_FIXTURES)
def test_service_filled_empties_change_nothing_else(fixture: str) -> None:
    plain = chain_request(load(fixture)).request
    filled = chain_request(with_service_empties(load(fixture))).request
    assert filled == plain


def test_empty_parent_tags_send_only_the_lineage() -> None:
    describe = with_service_empties(load("image_classification_non_al"))
    describe["Tags"] = []
    request = chain_request(describe, parent_tags=[]).request
    assert {tag["Key"] for tag in request["Tags"]} == {"gtchain:root", "gtchain:parent", "gtchain:depth"}
    assert_valid_create_request(request)
