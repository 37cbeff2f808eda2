"""The six gtchain Lambdas, their log groups, roles and least-privilege permissions."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration, Size, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from gtchain_cdk.arns import owned_job_arns
from gtchain_cdk.bundling import (
    LAMBDA_ARCHITECTURE,
    LAMBDA_PYTHON_VERSION,
    LAMBDA_RUNTIME,
    dependencies_layer,
    function_code,
)
from gtchain_cdk.config import ProjectConfig
from gtchain_cdk.nag import acknowledge, acknowledge_wildcard_actions, acknowledge_wildcard_resources
from gtchain_runtime.domain.layout import CHAINS_PREFIX, LAYOUT_PREFIXES
from gtchain_runtime.metric_names import POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME
from gtchain_runtime.settings import lambda_environment

LOG_RETENTION = logs.RetentionDays.THREE_MONTHS


@dataclass(frozen=True)
class FunctionSizing:
    """Memory, time and scratch space a handler needs."""

    memory_mb: int
    timeout: Duration
    ephemeral_storage_mb: int = 512


# Plan and finalize stream manifests of up to 1M lines (100,000 characters each at most):
# 1769 MB is one full vCPU, and the scratch space holds a spilled manifest.
_STREAMING = FunctionSizing(memory_mb=1769, timeout=Duration.minutes(14), ephemeral_storage_mb=4096)
_API_CALLS = FunctionSizing(memory_mb=256, timeout=Duration.seconds(60))

# The functions that stream manifests get the project's reserved concurrency (limits.manifest_concurrency).
MANIFEST_FUNCTIONS = frozenset({"plan_chain", "finalize_chain"})

HANDLER_SIZING: dict[str, FunctionSizing] = {
    "inspect_job": _API_CALLS,
    "plan_chain": _STREAMING,
    "create_child": _API_CALLS,
    "finalize_chain": _STREAMING,
    "record_outcome": _API_CALLS,
    # Pages through every labeling job of the account in the last days.
    "sweep_jobs": FunctionSizing(memory_mb=512, timeout=Duration.minutes(5)),
}

_XRAY_REASON = (
    "X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords "
    "support no resource-level permissions."
)


def handler_string(module: str) -> str:
    return f"gtchain_runtime.handlers.{module}.handler"


# sagemaker:WorkteamType values: a private work team, Amazon Mechanical Turk, a vendor.
PRIVATE_WORKFORCE = "private-crowd"
EXTERNAL_WORKFORCES = ("public-crowd", "vendor-crowd")


def workforce_condition(config: ProjectConfig) -> dict[str, dict[str, object]]:
    """The IAM condition on CreateLabelingJob: who may be hired for chained jobs.

    A configured work team: that team only. Otherwise a private work team, unless the project
    opted in to the public crowd and vendors (policy.allow_external_workforce).
    """
    if config.workteam_arn is not None:
        return {"ArnEquals": {"sagemaker:WorkteamArn": config.workteam_arn}}
    if config.policy.allow_external_workforce:
        return {"StringEquals": {"sagemaker:WorkteamType": [PRIVATE_WORKFORCE, *EXTERNAL_WORKFORCES]}}
    return {"StringEquals": {"sagemaker:WorkteamType": PRIVATE_WORKFORCE}}


def runtime_environment(
    config: ProjectConfig,
    *,
    account: str,
    bucket: s3.IBucket,
    table: dynamodb.ITable,
    topic: sns.ITopic,
) -> dict[str, str]:
    """The environment of every function: the runtime's settings (settings.lambda_environment
    names the variables) and Powertools'. Empty string = not configured."""
    policy = config.policy
    settings = lambda_environment(
        project_name=config.name,
        job_name_prefix=config.job_name_prefix,
        bucket_name=bucket.bucket_name,
        ledger_table_name=table.table_name,
        topic_arn=topic.topic_arn,
        labeling_role_arn=config.labeling_role_arn,
        workteam_arn=config.workteam_arn,
        resume_stopped=policy.resume_stopped,
        max_depth=policy.max_depth,
        labeling_mode=policy.labeling_mode,
        algorithm_specification_arn=policy.algorithm_specification_arn,
        allow_external_workforce=policy.allow_external_workforce,
        chain_human_label_budget=policy.chain_human_label_budget,
        price_per_object_usd=policy.price_per_object_usd,
        adopt_jobs_ended_after=policy.adopt_jobs_ended_after,
        # ExpectedBucketOwner of every S3 call the handlers make (the stack's account).
        bucket_owner_account=account,
    )
    return {
        **settings,
        "POWERTOOLS_SERVICE_NAME": POWERTOOLS_SERVICE_NAME,
        "POWERTOOLS_METRICS_NAMESPACE": POWERTOOLS_METRICS_NAMESPACE,
        # Traces keep errors but not the handlers' return values (job descriptions, tags,
        # manifest locations) unless debug.capture_responses is on.
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "true" if config.debug.capture_responses else "false",
        "POWERTOOLS_TRACER_CAPTURE_ERROR": "true",
    }


class ChainFunctions(Construct):
    """One function per handler module, each with its own role and explicit log group."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ProjectConfig,
        bucket: s3.IBucket,
        table: dynamodb.ITable,
        topic: sns.ITopic,
        sweep_dead_letter_queue: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        self._bucket = bucket
        self._table = table
        owned_jobs = owned_job_arns(self, config.job_name_prefix)
        # labeling-job/<prefix>-* and labeling-job/<prefix> (gtchain_runtime.domain.naming.owns_job_name).
        self._job_arns = owned_jobs.iam_resources
        self._job_arn_wildcards = [arn for arn in owned_jobs.iam_resources if arn.endswith("*")]
        # One code asset and one layer, shared by all functions.
        self._layer = dependencies_layer(self, "DependenciesLayer")
        self._code = function_code()
        self._environment = runtime_environment(
            config, account=Stack.of(self).account, bucket=bucket, table=table, topic=topic
        )

        self.by_module: dict[str, lambda_.Function] = {}
        for module, sizing in HANDLER_SIZING.items():
            # The sweep is invoked asynchronously by EventBridge: what fails after
            # Lambda's own retries lands in the dead-letter queue.
            dead_letter_queue = sweep_dead_letter_queue if module == "sweep_jobs" else None
            self.by_module[module] = self._function(module, sizing, dead_letter_queue=dead_letter_queue)
        self.inspect_job = self.by_module["inspect_job"]
        self.plan_chain = self.by_module["plan_chain"]
        self.create_child = self.by_module["create_child"]
        self.finalize_chain = self.by_module["finalize_chain"]
        self.record_outcome = self.by_module["record_outcome"]
        self.sweep_jobs = self.by_module["sweep_jobs"]

        # Each function gets exactly what its handler calls (tests/infra/test_derived_grants.py
        # derives the actions from the calls the handlers make).
        self._allow_describe_jobs(self.inspect_job, "sagemaker:DescribeLabelingJob", "sagemaker:ListTags")
        # A job with lineage tags is ours only when its parent's decision names it as the child;
        # GetItem reads that and the adoption start, a conditional PutItem records a job that
        # ended before the adoption start as ignored.
        self._allow_ledger(self.inspect_job, "InspectLedger", "dynamodb:GetItem", "dynamodb:PutItem")

        self._allow_manifest_access(self.plan_chain)
        # The chain's budget and cost: the earlier jobs' counters and their recorded decisions.
        self._allow_describe_jobs(self.plan_chain, "sagemaker:DescribeLabelingJob")
        self._allow_ledger(self.plan_chain, "ReadChainDecisions", "dynamodb:GetItem")

        # A duplicate execution describes the existing child and reads its lineage tags.
        self._allow_describe_jobs(self.create_child, "sagemaker:DescribeLabelingJob", "sagemaker:ListTags")
        self._allow_create_jobs(self.create_child)
        # The child is claimed in the ledger before CreateLabelingJob (a conditional PutItem).
        self._allow_ledger(self.create_child, "ClaimChild", "dynamodb:PutItem")

        # The chain's earlier jobs are described for their output manifests.
        self._allow_describe_jobs(self.finalize_chain, "sagemaker:DescribeLabelingJob")
        self._allow_manifest_access(self.finalize_chain)

        # Conditional PutItem of decisions and failures; Query counts a job's failures.
        # GetItem and UpdateItem: a decision recorded but not yet announced is published and marked.
        self._allow_ledger(
            self.record_outcome,
            "RecordInLedger",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
        )
        topic.grant_publish(self.record_outcome)

        self._allow_list_jobs(self.sweep_jobs)
        # GetItem of a job's decision; Query counts its failures; a conditional PutItem records an
        # execution that ended without a decision (stopped, timed out) as a failure, and the third
        # one as the job's GIVE_UP decision, which it announces.
        # The first sweep records the project's adoption start: the ledger's CreationDateTime
        # (DescribeTable), the moment gtchain was first deployed.
        self._allow_ledger(
            self.sweep_jobs,
            "SweepLedger",
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:PutItem",
            "dynamodb:DescribeTable",
        )
        topic.grant_publish(self.sweep_jobs)
        self._acknowledge_findings()

    def _function(
        self,
        module: str,
        sizing: FunctionSizing,
        *,
        dead_letter_queue: sqs.IQueue | None,
    ) -> lambda_.Function:
        construct_name = "".join(part.title() for part in module.split("_"))
        log_group = logs.LogGroup(self, f"{construct_name}Logs", retention=LOG_RETENTION)
        # An own role without AWSLambdaBasicExecutionRole: logs go to this log group only.
        role = iam.Role(
            self,
            f"{construct_name}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"gtchain {module} Lambda ({self._config.name})",
        )
        log_group.grant_write(role)
        function = lambda_.Function(
            self,
            construct_name,
            description=f"gtchain {module} ({self._config.name})",
            runtime=LAMBDA_RUNTIME,
            architecture=LAMBDA_ARCHITECTURE,
            handler=handler_string(module),
            code=self._code,
            layers=[self._layer],
            role=role,
            memory_size=sizing.memory_mb,
            timeout=sizing.timeout,
            ephemeral_storage_size=Size.mebibytes(sizing.ephemeral_storage_mb),
            environment=self._environment,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            dead_letter_queue=dead_letter_queue,
            # A cap, so that many jobs finishing at once cannot take the account's concurrency
            # (and memory bill) with 1769 MB functions; excess invocations are throttled and
            # retried by the state machine.
            reserved_concurrent_executions=(
                self._config.limits.manifest_concurrency if module in MANIFEST_FUNCTIONS else None
            ),
        )
        runtime_reason = (
            f"Pinned to Python {LAMBDA_PYTHON_VERSION} (supported by Lambda) because the dependency layer's "
            "wheels are selected for exactly this version; upgrade both together in stacks/bundling.py."
        )
        acknowledge(function, "AwsSolutions-L1", runtime_reason)
        acknowledge(function, "Serverless-LambdaLatestVersion", runtime_reason)
        if dead_letter_queue is None:
            acknowledge(
                function,
                "Serverless-LambdaDLQ",
                "Invoked synchronously by the state machine, never asynchronously: a failure is caught "
                "by its catch-all, recorded in the ledger and notified (Record failure).",
            )
        return function

    def _allow_describe_jobs(self, function: lambda_.Function, *actions: str) -> None:
        function.add_to_role_policy(
            iam.PolicyStatement(
                sid="DescribeProjectLabelingJobs", actions=list(actions), resources=self._job_arns
            )
        )
        acknowledge_wildcard_resources(
            function.role or function,
            self._job_arn_wildcards,
            "Labeling jobs of this project: every job named <prefix>-... (the prefix followed by a hyphen), "
            "with the prefix lower-cased and as configured (IAM compares ARNs case-sensitively).",
        )

    def _allow_ledger(self, function: lambda_.Function, sid: str, *actions: str) -> None:
        """Actions on the ledger table itself: no function queries the by-root index (it is
        read by people, through the CLI and the sandbox), so its ARN is not granted."""
        function.add_to_role_policy(
            iam.PolicyStatement(sid=sid, actions=list(actions), resources=[self._table.table_arn])
        )

    def _allow_create_jobs(self, function: lambda_.Function) -> None:
        # The work force the role may hire is enforced by IAM, not only by the runtime's policy.
        # CreateLabelingJob's condition keys (Service Authorization Reference, "Actions, resources,
        # and condition keys for Amazon SageMaker"): sagemaker:WorkteamArn (type ARN: Arn*
        # operators) and sagemaker:WorkteamType (type String: public-crowd, private-crowd or
        # vendor-crowd). Usage: https://docs.aws.amazon.com/sagemaker/latest/dg/sms-security-workforce-authentication.html
        function.add_to_role_policy(
            iam.PolicyStatement(
                sid="CreateChainedLabelingJobs",
                actions=["sagemaker:CreateLabelingJob"],
                resources=self._job_arns,
                conditions=workforce_condition(self._config),
            )
        )
        # The lineage tags are set in the CreateLabelingJob request, which SageMaker authorizes
        # as sagemaker:AddTags with sagemaker:TaggingAction = "CreateLabelingJob" (create-time
        # tagging; the key is listed for AddTags in the reference above, type String). No handler
        # calls AddTags on its own, so tagging an existing job (re-labelling someone's job as a
        # chain member) is not allowed.
        # aws:TagKeys is not restricted: a child carries its parent's user tags (cost allocation
        # and the like), whose keys the people creating root jobs choose; an allow-list would make
        # CreateLabelingJob fail for any parent with another key and stop its chain, and keys
        # under "aws:" are reserved by AWS and never copied (docs/architecture.md).
        function.add_to_role_policy(
            iam.PolicyStatement(
                sid="TagChainedLabelingJobsOnCreate",
                actions=["sagemaker:AddTags"],
                resources=self._job_arns,
                conditions={"StringEquals": {"sagemaker:TaggingAction": "CreateLabelingJob"}},
            )
        )
        function.add_to_role_policy(
            iam.PolicyStatement(
                sid="PassLabelingRoleToSageMaker",
                actions=["iam:PassRole"],
                resources=[self._config.labeling_role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            )
        )

    def _allow_list_jobs(self, function: lambda_.Function) -> None:
        function.add_to_role_policy(
            iam.PolicyStatement(
                sid="ListLabelingJobs",
                actions=["sagemaker:ListLabelingJobs"],
                # ListLabelingJobs supports no resource-level permissions: "*" is the only valid resource.
                resources=["*"],
            )
        )

    def _allow_manifest_access(self, function: lambda_.Function) -> None:
        """Read the layout's prefixes, write only chains/ (the chained manifests and reports).

        Every statement is pinned to the stack's account with s3:ResourceAccount: an imported
        bucket name that ends up owned by another account (deleted and re-created elsewhere, a
        typo) is denied by IAM, and the handlers also send ExpectedBucketOwner on each call.
        """
        in_this_account = {"s3:ResourceAccount": Stack.of(self).account}
        read_objects = [self._bucket.arn_for_objects(f"{prefix}*") for prefix in LAYOUT_PREFIXES]
        write_objects = [self._bucket.arn_for_objects(f"{CHAINS_PREFIX}*")]
        function.add_to_role_policy(
            iam.PolicyStatement(
                sid="ReadManifests",
                actions=["s3:GetObject"],
                resources=read_objects,
                conditions={"StringEquals": in_this_account},
            )
        )
        function.add_to_role_policy(
            iam.PolicyStatement(
                sid="WriteChainFiles",
                # s3:PutObject covers multipart uploads; s3transfer aborts an upload whose part failed.
                actions=["s3:PutObject", "s3:AbortMultipartUpload"],
                resources=write_objects,
                conditions={"StringEquals": in_this_account},
            )
        )
        # Without ListBucket a missing key reads as AccessDenied instead of NoSuchKey.
        function.add_to_role_policy(
            iam.PolicyStatement(
                sid="ListLayoutPrefixes",
                actions=["s3:ListBucket"],
                resources=[self._bucket.bucket_arn],
                conditions={
                    "StringLike": {"s3:prefix": [f"{prefix}*" for prefix in LAYOUT_PREFIXES]},
                    "StringEquals": in_this_account,
                },
            )
        )
        acknowledge_wildcard_resources(
            function.role or function,
            read_objects,
            "Objects under the S3 layout prefixes inputs/, jobs/ and chains/ of the project bucket "
            "(docs/architecture.md); writes are limited to chains/.",
        )

    def _acknowledge_findings(self) -> None:
        for module, function in self.by_module.items():
            reason = _XRAY_REASON
            if module == "sweep_jobs":
                reason = f"sagemaker:ListLabelingJobs supports no resource-level permissions. {reason}"
            acknowledge(function.role or function, "AwsSolutions-IAM5[Resource::*]", reason)
        for publisher in (self.record_outcome, self.sweep_jobs):
            acknowledge_wildcard_actions(
                publisher.role or publisher,
                ["kms:GenerateDataKey*"],
                "topic.grant_publish on the KMS-encrypted topic: GenerateDataKey* covers the key's data-key "
                "variants, scoped to the topic key only.",
            )
