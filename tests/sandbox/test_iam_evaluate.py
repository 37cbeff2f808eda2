"""The sandbox's identity-policy evaluator (gtchain.sandbox.iam.evaluate): pure, no server."""

from __future__ import annotations

from typing import Any

import pytest

from gtchain.sandbox.iam.evaluate import (
    AuthorizationRequest,
    Decision,
    PolicyError,
    action_matches,
    arn_matches,
    condition_holds,
    evaluate,
)

BUCKET = "arn:aws:s3:::gtchain-bucket"
JOBS = "arn:aws:sagemaker:us-east-1:123456789012:labeling-job/streetscenes*"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def decide(policies: list[Any], action: str, resource: str, **context: Any) -> Decision:
    return evaluate(policies, AuthorizationRequest(action, resource, context)).decision


# -- actions and resources ---------------------------------------------------------------


def test_actions_match_case_insensitively_with_both_wildcards() -> None:
    assert action_matches("s3:GetObject", "s3:getobject")
    assert action_matches("kms:GenerateDataKey*", "kms:GenerateDataKey")
    assert action_matches("kms:GenerateDataKey*", "kms:GenerateDataKeyWithoutPlaintext")
    assert action_matches("sagemaker:?escribe*", "sagemaker:DescribeLabelingJob")
    assert not action_matches("s3:Get*", "s3:PutObject")
    assert not action_matches("s3:GetObject", "s3:GetObjectVersion")
    assert action_matches("*", "iam:PassRole")


def test_resources_match_case_sensitively() -> None:
    assert arn_matches(f"{BUCKET}/inputs/*", f"{BUCKET}/inputs/a/b.manifest")
    assert not arn_matches(f"{BUCKET}/inputs/*", f"{BUCKET}/Inputs/a")
    assert arn_matches(
        JOBS, "arn:aws:sagemaker:us-east-1:123456789012:labeling-job/streetscenes-job1-chain-1"
    )
    assert not arn_matches(JOBS, "arn:aws:sagemaker:us-east-1:123456789012:labeling-job/Streetscenes-job1")
    assert arn_matches("arn:aws:s3:::gtchain-bucket/jobs/?", f"{BUCKET}/jobs/x")
    assert not arn_matches("arn:aws:s3:::gtchain-bucket/jobs/?", f"{BUCKET}/jobs/xy")
    assert arn_matches("*", "arn:aws:iam::123456789012:role/anything")


def test_wildcards_in_arn_segments_stay_in_their_segment_but_the_resource_part_spans_colons() -> None:
    assert arn_matches(
        "arn:aws:lambda:*:123456789012:function:f", "arn:aws:lambda:eu-west-1:123456789012:function:f"
    )
    assert not arn_matches(
        "arn:aws:lambda:*:123456789012:function:f", "arn:aws:lambda:a:b:123456789012:function:f"
    )
    assert arn_matches(
        "arn:aws:lambda:us-east-1:123456789012:function:f:*",
        "arn:aws:lambda:us-east-1:123456789012:function:f:live",
    )
    assert not arn_matches(
        "arn:aws:lambda:us-east-1:123456789012:function:f:*",
        "arn:aws:lambda:us-east-1:123456789012:function:f",
    )
    assert arn_matches(
        "arn:aws:dynamodb:us-east-1:123456789012:table/t/*",
        "arn:aws:dynamodb:us-east-1:123456789012:table/t/index/by-root",
    )


def test_regex_characters_in_patterns_are_literal() -> None:
    assert not arn_matches("arn:aws:s3:::a.b/*", "arn:aws:s3:::axb/k")
    assert arn_matches("arn:aws:s3:::a.b/(x)+", "arn:aws:s3:::a.b/(x)+")


# -- allow, deny, default deny -----------------------------------------------------------


def test_no_statement_allows_means_implicit_deny() -> None:
    policies = [policy(allow("s3:GetObject", f"{BUCKET}/inputs/*"))]
    assert decide(policies, "s3:GetObject", f"{BUCKET}/inputs/x") is Decision.ALLOW
    assert decide(policies, "s3:GetObject", f"{BUCKET}/chains/x") is Decision.IMPLICIT_DENY
    assert decide(policies, "s3:PutObject", f"{BUCKET}/inputs/x") is Decision.IMPLICIT_DENY
    assert decide([], "s3:GetObject", f"{BUCKET}/inputs/x") is Decision.IMPLICIT_DENY


def test_explicit_deny_wins_over_allow_in_any_policy_and_order() -> None:
    deny = policy({"Effect": "Deny", "Action": "s3:*", "Resource": f"{BUCKET}/inputs/secret*"})
    allow_all = policy(allow("s3:*", "*"))
    for policies in ([deny, allow_all], [allow_all, deny]):
        assert decide(policies, "s3:GetObject", f"{BUCKET}/inputs/secret.txt") is Decision.EXPLICIT_DENY
        assert decide(policies, "s3:GetObject", f"{BUCKET}/inputs/public.txt") is Decision.ALLOW


def test_statements_as_a_single_object_and_policies_as_json_text() -> None:
    text = (
        '{"Version": "2012-10-17", "Statement": '
        '{"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}}'
    )
    assert decide([text], "sns:Publish", "arn:aws:sns:us-east-1:123456789012:t") is Decision.ALLOW


def test_not_action_and_not_resource() -> None:
    policies = [
        policy(
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:*", "NotResource": [f"{BUCKET}", f"{BUCKET}/*"]},
        )
    ]
    assert decide(policies, "s3:GetObject", f"{BUCKET}/k") is Decision.ALLOW
    assert decide(policies, "s3:GetObject", "arn:aws:s3:::other/k") is Decision.EXPLICIT_DENY
    assert decide(policies, "iam:PassRole", "arn:aws:iam::123456789012:role/r") is Decision.IMPLICIT_DENY


def test_malformed_statements_fail_loudly() -> None:
    with pytest.raises(PolicyError):
        decide([policy({"Effect": "Allow", "Action": "s3:*"})], "s3:GetObject", BUCKET)
    with pytest.raises(PolicyError):
        decide([policy({"Effect": "Maybe", "Action": "s3:*", "Resource": "*"})], "s3:GetObject", BUCKET)


# -- conditions --------------------------------------------------------------------------


def test_string_equals_and_not_equals() -> None:
    assert condition_holds(
        "StringEquals",
        "iam:PassedToService",
        "sagemaker.amazonaws.com",
        {"iam:PassedToService": "sagemaker.amazonaws.com"},
    )
    assert not condition_holds(
        "StringEquals",
        "iam:PassedToService",
        "sagemaker.amazonaws.com",
        {"iam:PassedToService": "SageMaker.amazonaws.com"},
    )
    assert condition_holds("StringEqualsIgnoreCase", "k", "ABC", {"k": "abc"})
    # negated: NOR over the policy values
    assert condition_holds("StringNotEquals", "k", ["a", "b"], {"k": "c"})
    assert not condition_holds("StringNotEquals", "k", ["a", "b"], {"k": "b"})
    assert not condition_holds("StringNotEqualsIgnoreCase", "k", ["A"], {"k": "a"})


def test_condition_key_names_are_case_insensitive() -> None:
    assert condition_holds("StringEquals", "SageMaker:WorkteamArn", "w", {"sagemaker:workteamarn": "w"})


def test_string_like_with_wildcards() -> None:
    prefixes = ["inputs/*", "jobs/*", "chains/*"]
    assert condition_holds("StringLike", "s3:prefix", prefixes, {"s3:prefix": "chains/root/"})
    assert not condition_holds("StringLike", "s3:prefix", prefixes, {"s3:prefix": "other/"})
    assert not condition_holds("StringLike", "s3:prefix", prefixes, {"s3:prefix": ""})
    assert condition_holds("StringNotLike", "s3:prefix", prefixes, {"s3:prefix": "other/"})


def test_a_missing_key_fails_positive_operators_and_passes_negated_ones() -> None:
    assert not condition_holds("StringEquals", "sagemaker:WorkteamArn", "w", {})
    assert not condition_holds("StringLike", "s3:prefix", "*", {})
    assert condition_holds("StringNotEquals", "sagemaker:WorkteamArn", "w", {})
    assert condition_holds("ArnNotLike", "aws:SourceArn", "arn:aws:s3:::*", {})


def test_if_exists_passes_when_the_key_is_missing_and_checks_it_otherwise() -> None:
    assert condition_holds("StringEqualsIfExists", "sagemaker:WorkteamArn", "w", {})
    assert condition_holds(
        "StringEqualsIfExists", "sagemaker:WorkteamArn", "w", {"sagemaker:WorkteamArn": "w"}
    )
    assert not condition_holds(
        "StringEqualsIfExists", "sagemaker:WorkteamArn", "w", {"sagemaker:WorkteamArn": "v"}
    )
    assert condition_holds("ArnLikeIfExists", "aws:SourceArn", "arn:aws:s3:::*", {})


def test_null_tests_presence() -> None:
    assert condition_holds("Null", "aws:RequestTag/owner", "true", {})
    assert not condition_holds("Null", "aws:RequestTag/owner", "true", {"aws:RequestTag/owner": "me"})
    assert condition_holds("Null", "aws:RequestTag/owner", "false", {"aws:RequestTag/owner": "me"})
    assert not condition_holds("Null", "aws:RequestTag/owner", False, {})  # JSON false works too


def test_bool_and_numeric() -> None:
    assert condition_holds("Bool", "aws:SecureTransport", "true", {"aws:SecureTransport": "true"})
    assert condition_holds("Bool", "aws:SecureTransport", True, {"aws:SecureTransport": "true"})
    assert not condition_holds("Bool", "aws:SecureTransport", "false", {"aws:SecureTransport": "true"})
    assert condition_holds("NumericLessThanEquals", "s3:max-keys", "10", {"s3:max-keys": "10"})
    assert not condition_holds("NumericLessThan", "s3:max-keys", "10", {"s3:max-keys": "10"})
    assert condition_holds("NumericGreaterThan", "k", 1, {"k": "2.5"})
    assert condition_holds("NumericNotEquals", "k", ["1", "2"], {"k": "3"})
    assert not condition_holds("NumericEquals", "k", "1", {"k": "not a number"})


def test_arn_operators() -> None:
    source = {"aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/r"}
    assert condition_holds("ArnLike", "aws:SourceArn", "arn:aws:events:*:123456789012:rule/*", source)
    assert condition_holds(
        "ArnEquals", "aws:SourceArn", "arn:aws:events:us-east-1:123456789012:rule/r", source
    )
    assert not condition_holds(
        "ArnEquals", "aws:SourceArn", "arn:aws:events:us-east-1:123456789012:rule/x", source
    )
    assert condition_holds(
        "ArnNotEquals", "aws:SourceArn", "arn:aws:events:us-east-1:123456789012:rule/x", source
    )


def test_set_operators_on_multivalued_keys() -> None:
    tags = {"aws:TagKeys": ["gtchain:root", "gtchain:parent"]}
    allowed = ["gtchain:root", "gtchain:parent", "gtchain:depth"]
    assert condition_holds("ForAllValues:StringEquals", "aws:TagKeys", allowed, tags)
    assert not condition_holds("ForAllValues:StringEquals", "aws:TagKeys", ["gtchain:root"], tags)
    assert condition_holds("ForAnyValue:StringEquals", "aws:TagKeys", ["gtchain:root"], tags)
    assert not condition_holds("ForAnyValue:StringEquals", "aws:TagKeys", ["owner"], tags)
    assert condition_holds("ForAnyValue:StringLike", "aws:TagKeys", ["gtchain:*"], tags)
    # a missing (or empty) key: ForAllValues true, ForAnyValue false
    assert condition_holds("ForAllValues:StringEquals", "aws:TagKeys", allowed, {})
    assert not condition_holds("ForAnyValue:StringEquals", "aws:TagKeys", allowed, {"aws:TagKeys": []})
    # negated with a set operator: every value must avoid the list
    assert condition_holds("ForAllValues:StringNotLike", "aws:TagKeys", ["aws:*"], tags)
    assert not condition_holds("ForAllValues:StringNotLike", "aws:TagKeys", ["gtchain:p*"], tags)


def test_operators_the_sandbox_cannot_evaluate_fail_loudly() -> None:
    with pytest.raises(PolicyError, match="DateLessThan"):
        condition_holds("DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z", {})
    with pytest.raises(PolicyError, match="IpAddress"):
        condition_holds("IpAddress", "aws:SourceIp", "10.0.0.0/8", {})


def test_all_operators_keys_must_hold_and_values_are_ored() -> None:
    statement = allow(
        "sagemaker:CreateLabelingJob",
        JOBS,
        Condition={
            "StringEquals": {"sagemaker:WorkteamArn": ["w1", "w2"], "aws:RequestedRegion": "us-east-1"},
            "Null": {"aws:RequestTag/gtchain:root": "false"},
        },
    )
    job = "arn:aws:sagemaker:us-east-1:123456789012:labeling-job/streetscenes-x"
    ok = {
        "sagemaker:WorkteamArn": "w2",
        "aws:RequestedRegion": "us-east-1",
        "aws:RequestTag/gtchain:root": "r",
    }
    assert decide([policy(statement)], "sagemaker:CreateLabelingJob", job, **ok) is Decision.ALLOW
    for key in ok:
        missing = {k: v for k, v in ok.items() if k != key}
        assert (
            decide([policy(statement)], "sagemaker:CreateLabelingJob", job, **missing)
            is Decision.IMPLICIT_DENY
        )


def test_a_conditioned_deny_only_applies_when_its_condition_holds() -> None:
    policies = [
        policy(
            allow("iam:PassRole", "arn:aws:iam::123456789012:role/labeling"),
            {
                "Effect": "Deny",
                "Action": "iam:PassRole",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            },
        )
    ]
    role = "arn:aws:iam::123456789012:role/labeling"
    assert (
        decide(policies, "iam:PassRole", role, **{"iam:PassedToService": "sagemaker.amazonaws.com"})
        is Decision.ALLOW
    )
    assert (
        decide(policies, "iam:PassRole", role, **{"iam:PassedToService": "ec2.amazonaws.com"})
        is Decision.EXPLICIT_DENY
    )
    # the key is missing: the negated operator is true, the Deny applies
    assert decide(policies, "iam:PassRole", role) is Decision.EXPLICIT_DENY


def test_a_policy_that_is_not_json_fails_loudly() -> None:
    with pytest.raises(PolicyError, match="not JSON"):
        decide(["{'Statement': []}"], "s3:GetObject", BUCKET)
