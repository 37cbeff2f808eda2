"""What the sandbox authorizes per call (gtchain.sandbox.iam.requests): pure, no server."""

from __future__ import annotations

from typing import Any

import pytest

from gtchain.sandbox.iam.evaluate import AuthorizationRequest
from gtchain.sandbox.iam.requests import Caller, UnmappedOperationError, authorization_requests, workteam_type

CALLER = Caller(
    "arn:aws:iam::123456789012:role/Stack-CreateChildRole-ABC", "create-fn", "123456789012", "us-east-1"
)
ACCOUNT_REGION = "us-east-1:123456789012"
KEY_ARN = f"arn:aws:kms:{ACCOUNT_REGION}:key/1234abcd"
TOPIC_ARN = f"arn:aws:sns:{ACCOUNT_REGION}:gtchain-topic"


class Lookups:
    def topic_key_arn(self, topic_arn: str) -> str | None:
        return KEY_ARN if topic_arn == TOPIC_ARN else None


def requests(service: str, operation: str, **params: Any) -> list[AuthorizationRequest]:
    return authorization_requests(service, operation, params, caller=CALLER, lookups=Lookups())


def pairs(service: str, operation: str, **params: Any) -> list[tuple[str, str]]:
    return [(r.action, r.resource) for r in requests(service, operation, **params)]


def test_caller_session_arn_is_the_assumed_role_arn() -> None:
    assert CALLER.session_arn == "arn:aws:sts::123456789012:assumed-role/Stack-CreateChildRole-ABC/create-fn"


def test_every_request_carries_the_global_keys() -> None:
    (request,) = requests("sagemaker", "ListLabelingJobs")
    assert request.context["aws:PrincipalArn"] == CALLER.role_arn
    assert request.context["aws:PrincipalAccount"] == "123456789012"
    assert request.context["aws:RequestedRegion"] == "us-east-1"
    assert request.context["aws:SecureTransport"] == "true"


@pytest.mark.parametrize(
    ("operation", "params", "action", "resource"),
    [
        ("GetObject", {"Key": "inputs/a.manifest"}, "s3:GetObject", "arn:aws:s3:::bkt/inputs/a.manifest"),
        (
            "HeadObject",
            {"Key": "chains/r/c/plan.json"},
            "s3:GetObject",
            "arn:aws:s3:::bkt/chains/r/c/plan.json",
        ),
        ("GetObject", {"Key": "k", "VersionId": "v1"}, "s3:GetObjectVersion", "arn:aws:s3:::bkt/k"),
        ("PutObject", {"Key": "chains/x"}, "s3:PutObject", "arn:aws:s3:::bkt/chains/x"),
        ("CreateMultipartUpload", {"Key": "chains/x"}, "s3:PutObject", "arn:aws:s3:::bkt/chains/x"),
        ("UploadPart", {"Key": "chains/x"}, "s3:PutObject", "arn:aws:s3:::bkt/chains/x"),
        ("CompleteMultipartUpload", {"Key": "chains/x"}, "s3:PutObject", "arn:aws:s3:::bkt/chains/x"),
        ("AbortMultipartUpload", {"Key": "chains/x"}, "s3:AbortMultipartUpload", "arn:aws:s3:::bkt/chains/x"),
        ("ListParts", {"Key": "chains/x"}, "s3:ListMultipartUploadParts", "arn:aws:s3:::bkt/chains/x"),
        ("ListObjectsV2", {"Prefix": "jobs/"}, "s3:ListBucket", "arn:aws:s3:::bkt"),
    ],
)
def test_s3_operations(operation: str, params: dict[str, Any], action: str, resource: str) -> None:
    (request,) = requests("s3", operation, Bucket="bkt", **params)
    assert (request.action, request.resource) == (action, resource)
    assert request.context["s3:ResourceAccount"] == "123456789012"


def test_s3_listing_carries_the_prefix_and_an_empty_one_without_prefix() -> None:
    (with_prefix,) = requests("s3", "ListObjectsV2", Bucket="bkt", Prefix="chains/root/")
    assert with_prefix.context["s3:prefix"] == "chains/root/"
    (without,) = requests("s3", "ListObjectsV2", Bucket="bkt")
    assert without.context["s3:prefix"] == ""


def test_sagemaker_job_arns_lower_case_the_name() -> None:
    assert pairs("sagemaker", "DescribeLabelingJob", LabelingJobName="Streetscenes-Job1") == [
        (
            "sagemaker:DescribeLabelingJob",
            f"arn:aws:sagemaker:{ACCOUNT_REGION}:labeling-job/streetscenes-job1",
        )
    ]
    job_arn = f"arn:aws:sagemaker:{ACCOUNT_REGION}:labeling-job/streetscenes-job1"
    assert pairs("sagemaker", "ListTags", ResourceArn=job_arn) == [("sagemaker:ListTags", job_arn)]
    assert pairs("sagemaker", "ListLabelingJobs") == [("sagemaker:ListLabelingJobs", "*")]


def test_create_labeling_job_implies_pass_role_and_tagging_with_condition_keys() -> None:
    workteam = f"arn:aws:sagemaker:{ACCOUNT_REGION}:workteam/private-crowd/streetscenes"
    create, tag, pass_role = requests(
        "sagemaker",
        "CreateLabelingJob",
        LabelingJobName="Streetscenes-Job1-chain-1",
        RoleArn="arn:aws:iam::123456789012:role/labeling",
        HumanTaskConfig={"WorkteamArn": workteam},
        OutputConfig={"S3OutputPath": "s3://bkt/jobs/", "KmsKeyId": KEY_ARN},
        Tags=[{"Key": "gtchain:root", "Value": "Streetscenes-Job1"}, {"Key": "gtchain:depth", "Value": "1"}],
    )
    job_arn = f"arn:aws:sagemaker:{ACCOUNT_REGION}:labeling-job/streetscenes-job1-chain-1"
    assert (create.action, create.resource) == ("sagemaker:CreateLabelingJob", job_arn)
    assert create.context["sagemaker:WorkteamArn"] == workteam
    assert create.context["sagemaker:WorkteamType"] == "private-crowd"
    assert create.context["sagemaker:OutputKmsKey"] == KEY_ARN
    assert create.context["aws:RequestTag/gtchain:root"] == "Streetscenes-Job1"
    assert create.context["aws:TagKeys"] == ["gtchain:root", "gtchain:depth"]
    assert (tag.action, tag.resource) == ("sagemaker:AddTags", job_arn)
    assert tag.context["aws:TagKeys"] == ["gtchain:root", "gtchain:depth"]
    assert tag.context["sagemaker:TaggingAction"] == "CreateLabelingJob"
    assert (pass_role.action, pass_role.resource) == (
        "iam:PassRole",
        "arn:aws:iam::123456789012:role/labeling",
    )
    assert pass_role.context["iam:PassedToService"] == "sagemaker.amazonaws.com"


def test_create_labeling_job_without_tags_or_workteam_needs_no_add_tags() -> None:
    actions = [r.action for r in requests("sagemaker", "CreateLabelingJob", LabelingJobName="j", RoleArn="r")]
    assert actions == ["sagemaker:CreateLabelingJob", "iam:PassRole"]
    (create, _) = requests("sagemaker", "CreateLabelingJob", LabelingJobName="j", RoleArn="r")
    assert "sagemaker:WorkteamArn" not in create.context


def test_workteam_types() -> None:
    assert (
        workteam_type("arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default")
        == "public-crowd"
    )
    assert workteam_type("arn:aws:sagemaker:us-east-1:123456789012:workteam/vendor-crowd/x") == "vendor-crowd"
    assert (
        workteam_type("arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/team")
        == "private-crowd"
    )
    assert workteam_type("arn:aws:sagemaker:us-east-1:123456789012:workteam/team") is None


def test_dynamodb_table_and_index_arns() -> None:
    table = f"arn:aws:dynamodb:{ACCOUNT_REGION}:table/ledger"
    assert pairs("dynamodb", "PutItem", TableName="ledger") == [("dynamodb:PutItem", table)]
    assert pairs("dynamodb", "GetItem", TableName="ledger") == [("dynamodb:GetItem", table)]
    assert pairs("dynamodb", "Query", TableName="ledger") == [("dynamodb:Query", table)]
    assert pairs("dynamodb", "Query", TableName="ledger", IndexName="by-root") == [
        ("dynamodb:Query", f"{table}/index/by-root")
    ]
    assert pairs("dynamodb", "BatchGetItem", RequestItems={"ledger": {}, "other": {}}) == [
        ("dynamodb:BatchGetItem", table),
        ("dynamodb:BatchGetItem", f"arn:aws:dynamodb:{ACCOUNT_REGION}:table/other"),
    ]


def test_publishing_to_an_encrypted_topic_needs_the_key() -> None:
    assert pairs("sns", "Publish", TopicArn=TOPIC_ARN, Message="m") == [
        ("sns:Publish", TOPIC_ARN),
        ("kms:GenerateDataKey", KEY_ARN),
        ("kms:Decrypt", KEY_ARN),
    ]
    plain = f"arn:aws:sns:{ACCOUNT_REGION}:plain"
    assert pairs("sns", "Publish", TopicArn=plain) == [("sns:Publish", plain)]


def test_step_functions_and_lambda() -> None:
    machine = f"arn:aws:states:{ACCOUNT_REGION}:stateMachine:resume"
    assert pairs("states", "StartExecution", stateMachineArn=machine, name="n") == [
        ("states:StartExecution", machine)
    ]
    function = f"arn:aws:lambda:{ACCOUNT_REGION}:function:fn"
    assert pairs("lambda", "Invoke", FunctionName=function) == [("lambda:InvokeFunction", function)]
    assert pairs("lambda", "Invoke", FunctionName="fn") == [("lambda:InvokeFunction", function)]
    assert pairs("lambda", "Invoke", FunctionName="123456789012:function:fn", Qualifier="live") == [
        ("lambda:InvokeFunction", f"{function}:live")
    ]
    assert pairs("lambda", "Invoke", FunctionName=f"{function}:3") == [
        ("lambda:InvokeFunction", f"{function}:3")
    ]


def test_get_caller_identity_needs_nothing() -> None:
    assert requests("sts", "GetCallerIdentity") == []


@pytest.mark.parametrize(
    ("service", "operation"),
    [
        ("s3", "PutBucketPolicy"),
        ("sagemaker", "CreateTrainingJob"),
        ("sqs", "SendMessage"),
        ("sns", "Subscribe"),
    ],
)
def test_unmapped_operations_are_refused_with_their_name(service: str, operation: str) -> None:
    with pytest.raises(UnmappedOperationError, match=f"{service}:{operation}"):
        requests(service, operation)
