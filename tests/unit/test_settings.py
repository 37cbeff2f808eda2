"""The Lambda environment is built from the settings model and read back by it (settings.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gtchain_runtime.settings import lambda_environment, setting_variable, settings_from

REQUIRED = {
    "project_name": "streetscenes",
    "job_name_prefix": "Streetscenes",
    "bucket_name": "bucket",
    "ledger_table_name": "ledger",
    "topic_arn": "arn:aws:sns:us-east-1:123456789012:topic",
    "labeling_role_arn": "arn:aws:iam::123456789012:role/Labeling",
}


def test_the_environment_reads_back_as_the_settings_it_was_built_from() -> None:
    values = {
        **REQUIRED,
        "workteam_arn": None,
        "resume_stopped": False,
        "max_depth": 3,
        "labeling_mode": "human",
        "chain_human_label_budget": 40,
        "price_per_object_usd": Decimal("0.08"),
        "bucket_owner_account": "123456789012",
    }
    environment = lambda_environment(**values)
    assert environment["RESUME_STOPPED"] == "false" and environment["WORKTEAM_ARN"] == ""
    settings = settings_from(environment)
    assert {name: getattr(settings, name) for name in values} == values


def test_an_unknown_or_missing_setting_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="not settings of the runtime: max_deepth"):
        lambda_environment(**REQUIRED, max_deepth=3)
    with pytest.raises(ValueError, match="the runtime needs settings topic_arn"):
        lambda_environment(**{k: v for k, v in REQUIRED.items() if k != "topic_arn"})
    assert setting_variable("state_machine_arn") == "STATE_MACHINE_ARN"
