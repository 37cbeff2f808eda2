"""What IAM authorizes for each AWS call gtchain makes: (service, operation, params) ->
the action(s), resource ARN(s) and condition keys AWS evaluates. Pure: lookups that need
the sandbox's state (the KMS key of a topic) come in through :class:`Lookups`.

The map covers the calls of the deployed Lambdas (``lambdas/gtchain_runtime/adapters``),
the state machine's role (Lambda Invoke, and the optimized SNS/DynamoDB integrations) and
what a Lambda might reasonably add next to these services:

======================  ===========================================================================
service (signing name)  operations -> actions (resource)
======================  ===========================================================================
s3                      GetObject/HeadObject -> s3:GetObject (object; s3:GetObjectVersion with a
                        version id), PutObject, CreateMultipartUpload, UploadPart,
                        CompleteMultipartUpload -> s3:PutObject (object), AbortMultipartUpload,
                        ListParts -> s3:ListMultipartUploadParts, DeleteObject, ListObjects(V2)
                        and HeadBucket -> s3:ListBucket (bucket; ``s3:prefix``), GetBucketLocation
sagemaker               DescribeLabelingJob, StopLabelingJob (job ARN, name lower-cased),
                        CreateLabelingJob (job ARN; ``sagemaker:WorkteamArn``/``WorkteamType``,
                        ``aws:RequestTag/*``, ``aws:TagKeys``, output/volume KMS keys) which also
                        needs iam:PassRole on ``RoleArn`` (``iam:PassedToService`` =
                        sagemaker.amazonaws.com) and, with Tags, sagemaker:AddTags on the job;
                        ListLabelingJobs (``*``), ListTags/AddTags/DeleteTags (``ResourceArn``)
dynamodb                Get/Put/Update/DeleteItem, Query/Scan (table, or ``table/T/index/I``),
                        DescribeTable, BatchGetItem/BatchWriteItem (each table)
sns                     Publish (topic) + kms:GenerateDataKey and kms:Decrypt on the topic's
                        customer managed key when the topic is encrypted (what AWS asks of a
                        publisher to an SSE topic; the key policy itself is not evaluated)
states                  StartExecution, StartSyncExecution, ListExecutions (state machine),
                        DescribeExecution, StopExecution (execution)
lambda                  Invoke -> lambda:InvokeFunction (function ARN, ``:qualifier`` if given)
kms                     Encrypt, Decrypt, GenerateDataKey(WithoutPlaintext), DescribeKey (key)
sts                     GetCallerIdentity: always allowed (as in AWS)
======================  ===========================================================================

Every request also carries ``aws:PrincipalArn`` (the role), ``aws:PrincipalAccount``,
``aws:PrincipalType`` (AssumedRole), ``aws:RequestedRegion`` and ``aws:SecureTransport``
(true: the sandbox's plain-HTTP endpoint stands in for AWS's TLS endpoint); S3 requests
``s3:ResourceAccount`` (the bucket's account: the sandbox has one). ``aws:SourceArn`` /
``aws:SourceAccount`` only exist when a *service principal* acts for a resource, which only
resource-based and trust policies see: identity policies of our roles never get them.

Any other operation raises :class:`UnmappedOperationError`: the call is refused (fail closed)
with a message naming it, so a call the Lambdas start making is never silently allowed -
add it here with its action and resource from the Service Authorization Reference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from gtchain.sandbox.iam.evaluate import AuthorizationRequest, ContextValue

SAGEMAKER_SERVICE_PRINCIPAL = "sagemaker.amazonaws.com"


class UnmappedOperationError(LookupError):
    """The sandbox does not know what IAM authorizes for this call: it is refused."""

    def __init__(self, service: str, operation: str) -> None:
        super().__init__(
            f"gtchain sandbox: {service}:{operation} is not in the IAM request map "
            "(gtchain/sandbox/iam/requests.py), so the caller's role cannot be evaluated for it; "
            "refused (fail closed). Add the operation with its action, resource and condition keys."
        )
        self.service = service
        self.operation = operation


@dataclass(frozen=True)
class Caller:
    """Who makes the call: a role session in one account and region."""

    role_arn: str
    session_name: str
    account: str
    region: str
    partition: str = "aws"

    @property
    def session_arn(self) -> str:
        role_name = self.role_arn.rsplit("/", 1)[-1]
        return f"arn:{self.partition}:sts::{self.account}:assumed-role/{role_name}/{self.session_name}"


class Lookups(Protocol):
    """What the request context needs from the sandbox's state."""

    def topic_key_arn(self, topic_arn: str) -> str | None:
        """The ARN of the customer managed KMS key encrypting the topic, if any."""
        ...


class NoLookups:
    def topic_key_arn(self, topic_arn: str) -> str | None:
        return None


def _global_context(caller: Caller) -> dict[str, ContextValue]:
    return {
        "aws:PrincipalArn": caller.role_arn,
        "aws:PrincipalAccount": caller.account,
        "aws:PrincipalType": "AssumedRole",
        "aws:RequestedRegion": caller.region,
        "aws:SecureTransport": "true",
    }


def _tag_context(tags: Any) -> dict[str, ContextValue]:
    """``aws:RequestTag/<key>`` and ``aws:TagKeys`` for a list of ``{"Key", "Value"}``."""
    if not tags:
        return {}
    context: dict[str, ContextValue] = {f"aws:RequestTag/{t['Key']}": str(t.get("Value", "")) for t in tags}
    context["aws:TagKeys"] = [str(t["Key"]) for t in tags]
    return context


class _Builder:
    def __init__(self, caller: Caller, lookups: Lookups) -> None:
        self.caller = caller
        self.lookups = lookups

    def request(self, action: str, resource: str, **context: ContextValue) -> AuthorizationRequest:
        return AuthorizationRequest(action, resource, {**_global_context(self.caller), **context})

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return ":".join(
            [
                "arn",
                self.caller.partition,
                service,
                self.caller.region if region else "",
                self.caller.account if account else "",
                resource,
            ]
        )


# -- S3 ----------------------------------------------------------------------------------


def _s3(b: _Builder, operation: str, params: Mapping[str, Any]) -> list[AuthorizationRequest]:
    bucket = str(params.get("Bucket", ""))
    bucket_arn = b.arn("s3", bucket, region=False, account=False)
    object_arn = f"{bucket_arn}/{params.get('Key', '')}"
    resource_account = {"s3:ResourceAccount": b.caller.account}
    if operation in {"GetObject", "HeadObject"}:
        action = "s3:GetObjectVersion" if params.get("VersionId") else "s3:GetObject"
        return [b.request(action, object_arn, **resource_account)]
    object_actions = {
        "PutObject": "s3:PutObject",
        "CreateMultipartUpload": "s3:PutObject",
        "UploadPart": "s3:PutObject",
        "CompleteMultipartUpload": "s3:PutObject",
        "AbortMultipartUpload": "s3:AbortMultipartUpload",
        "ListParts": "s3:ListMultipartUploadParts",
        "DeleteObject": "s3:DeleteObject",
    }
    if operation in object_actions:
        return [b.request(object_actions[operation], object_arn, **resource_account)]
    if operation in {"ListObjectsV2", "ListObjects"}:
        # A listing without a prefix is evaluated with an empty s3:prefix (IAM's documented
        # examples allow the bucket root with "s3:prefix": "").
        prefix = str(params.get("Prefix") or "")
        return [b.request("s3:ListBucket", bucket_arn, **{"s3:prefix": prefix}, **resource_account)]
    if operation == "HeadBucket":
        return [b.request("s3:ListBucket", bucket_arn, **resource_account)]
    if operation == "GetBucketLocation":
        return [b.request("s3:GetBucketLocation", bucket_arn, **resource_account)]
    raise UnmappedOperationError("s3", operation)


# -- SageMaker ---------------------------------------------------------------------------


def workteam_type(workteam_arn: str) -> str | None:
    """``private-crowd`` | ``public-crowd`` | ``vendor-crowd`` from a work team ARN
    (``...:workteam/<type>/<name>``), None when the ARN has no type segment."""
    resource = workteam_arn.split(":", 5)[-1]
    parts = resource.split("/")
    if len(parts) >= 3 and parts[0] == "workteam" and parts[1].endswith("-crowd"):
        return parts[1]
    return None


def labeling_job_arn(b: _Builder, name: str) -> str:
    # SageMaker lower-cases names inside ARNs (docs/architecture.md, Names and ARNs).
    return b.arn("sagemaker", f"labeling-job/{name.lower()}")


def _create_labeling_job(b: _Builder, params: Mapping[str, Any]) -> list[AuthorizationRequest]:
    job_arn = labeling_job_arn(b, str(params.get("LabelingJobName", "")))
    context: dict[str, ContextValue] = dict(_tag_context(params.get("Tags")))
    human = params.get("HumanTaskConfig") or {}
    if human.get("WorkteamArn"):
        context["sagemaker:WorkteamArn"] = str(human["WorkteamArn"])
        kind = workteam_type(str(human["WorkteamArn"]))
        if kind:
            context["sagemaker:WorkteamType"] = kind
    output_key = (params.get("OutputConfig") or {}).get("KmsKeyId")
    if output_key:
        context["sagemaker:OutputKmsKey"] = str(output_key)
    volume_key = ((params.get("LabelingJobResourceConfig") or {}).get("VolumeKmsKeyId")) or None
    if volume_key:
        context["sagemaker:VolumeKmsKey"] = str(volume_key)
    requests = [b.request("sagemaker:CreateLabelingJob", job_arn, **context)]
    if params.get("Tags"):
        # Tagging at creation is authorized as AddTags on the new resource too, with
        # sagemaker:TaggingAction naming the creating API ("Provide permissions for tagging
        # SageMaker AI resources": https://docs.aws.amazon.com/sagemaker/latest/dg/security_iam_id-based-policy-examples.html).
        tagging = {"sagemaker:TaggingAction": "CreateLabelingJob", **_tag_context(params["Tags"])}
        requests.append(b.request("sagemaker:AddTags", job_arn, **tagging))
    role_arn = str(params.get("RoleArn", ""))
    requests.append(
        b.request("iam:PassRole", role_arn, **{"iam:PassedToService": SAGEMAKER_SERVICE_PRINCIPAL})
    )
    return requests


def _sagemaker(b: _Builder, operation: str, params: Mapping[str, Any]) -> list[AuthorizationRequest]:
    if operation in {"DescribeLabelingJob", "StopLabelingJob"}:
        job_arn = labeling_job_arn(b, str(params.get("LabelingJobName", "")))
        return [b.request(f"sagemaker:{operation}", job_arn)]
    if operation == "CreateLabelingJob":
        return _create_labeling_job(b, params)
    if operation == "ListLabelingJobs":
        return [b.request("sagemaker:ListLabelingJobs", "*")]
    if operation == "ListTags":
        return [b.request("sagemaker:ListTags", str(params.get("ResourceArn", "")))]
    if operation == "AddTags":
        tags = _tag_context(params.get("Tags"))
        return [b.request("sagemaker:AddTags", str(params.get("ResourceArn", "")), **tags)]
    if operation == "DeleteTags":
        keys: ContextValue = [str(k) for k in params.get("TagKeys") or []]
        return [
            b.request("sagemaker:DeleteTags", str(params.get("ResourceArn", "")), **{"aws:TagKeys": keys})
        ]
    raise UnmappedOperationError("sagemaker", operation)


# -- DynamoDB ----------------------------------------------------------------------------


def _dynamodb(b: _Builder, operation: str, params: Mapping[str, Any]) -> list[AuthorizationRequest]:
    def table_arn(name: str) -> str:
        return b.arn("dynamodb", f"table/{name}")

    if operation in {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "DescribeTable"}:
        return [b.request(f"dynamodb:{operation}", table_arn(str(params.get("TableName", ""))))]
    if operation in {"Query", "Scan"}:
        resource = table_arn(str(params.get("TableName", "")))
        if params.get("IndexName"):
            resource += f"/index/{params['IndexName']}"
        return [b.request(f"dynamodb:{operation}", resource)]
    if operation in {"BatchGetItem", "BatchWriteItem"}:
        return [
            b.request(f"dynamodb:{operation}", table_arn(str(t))) for t in params.get("RequestItems") or {}
        ]
    raise UnmappedOperationError("dynamodb", operation)


# -- SNS, Step Functions, Lambda, KMS, STS -----------------------------------------------


def _sns(b: _Builder, operation: str, params: Mapping[str, Any]) -> list[AuthorizationRequest]:
    if operation != "Publish":
        raise UnmappedOperationError("sns", operation)
    topic_arn = str(params.get("TopicArn") or params.get("TargetArn") or "")
    requests = [b.request("sns:Publish", topic_arn)]
    key_arn = b.lookups.topic_key_arn(topic_arn)
    if key_arn:
        requests += [b.request("kms:GenerateDataKey", key_arn), b.request("kms:Decrypt", key_arn)]
    return requests


def _states(b: _Builder, operation: str, params: Mapping[str, Any]) -> list[AuthorizationRequest]:
    if operation in {"StartExecution", "StartSyncExecution", "ListExecutions"}:
        return [b.request(f"states:{operation}", str(params.get("stateMachineArn", "")))]
    if operation in {"DescribeExecution", "StopExecution"}:
        return [b.request(f"states:{operation}", str(params.get("executionArn", "")))]
    raise UnmappedOperationError("states", operation)


def function_arn(b: _Builder, function_name: str, qualifier: str | None) -> str:
    """The ARN Lambda authorizes for a FunctionName given as a name, an ARN or a partial ARN."""
    name = function_name
    if name.startswith("arn:"):
        arn = name
    elif ":function:" in name:  # 123456789012:function:name[:qualifier]
        arn = f"arn:{b.caller.partition}:lambda:{b.caller.region}:{name}"
    else:
        arn = b.arn("lambda", f"function:{name}")
    if qualifier and arn.count(":") == 6:
        arn += f":{qualifier}"
    return arn


def _lambda(b: _Builder, operation: str, params: Mapping[str, Any]) -> list[AuthorizationRequest]:
    if operation != "Invoke":
        raise UnmappedOperationError("lambda", operation)
    arn = function_arn(b, str(params.get("FunctionName", "")), params.get("Qualifier"))
    return [b.request("lambda:InvokeFunction", arn)]


def _kms(b: _Builder, operation: str, params: Mapping[str, Any]) -> list[AuthorizationRequest]:
    if operation not in {
        "Encrypt",
        "Decrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "DescribeKey",
    }:
        raise UnmappedOperationError("kms", operation)
    key = str(params.get("KeyId") or "*")
    if not key.startswith("arn:") and key != "*":
        key = b.arn("kms", f"alias/{key[6:]}" if key.startswith("alias/") else f"key/{key}")
    return [b.request(f"kms:{operation}", key)]


def _sts(b: _Builder, operation: str, params: Mapping[str, Any]) -> list[AuthorizationRequest]:
    if operation == "GetCallerIdentity":
        return []  # needs no permission, and cannot be denied
    raise UnmappedOperationError("sts", operation)


_SERVICES: dict[str, Callable[[_Builder, str, Mapping[str, Any]], list[AuthorizationRequest]]] = {
    "s3": _s3,
    "sagemaker": _sagemaker,
    "dynamodb": _dynamodb,
    "sns": _sns,
    "states": _states,
    "lambda": _lambda,
    "kms": _kms,
    "sts": _sts,
}


def authorization_requests(
    service: str,
    operation: str,
    params: Mapping[str, Any],
    *,
    caller: Caller,
    lookups: Lookups | None = None,
) -> list[AuthorizationRequest]:
    """Every authorization AWS makes for this call, the operation's own action first.

    ``service`` is the signing name (``states`` for Step Functions), ``operation`` the API
    operation name, ``params`` its parameters as boto3 names them (S3: ``Bucket``, ``Key``,
    ``Prefix``, ``VersionId``). Raises :class:`UnmappedOperationError` for anything else.
    """
    build = _SERVICES.get(service)
    if build is None:
        raise UnmappedOperationError(service, operation)
    return build(_Builder(caller, lookups or NoLookups()), operation, params)
