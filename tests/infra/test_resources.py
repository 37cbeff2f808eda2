"""Storage, ledger, topic, functions, outputs, and what must never be in the template."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match

from gtchain_runtime.settings import RuntimeSettings, settings_from
from tests.support.synth import JOB_RULE_NAMES, Synthesized, only_resource, resources_of

# Changing one of these replaces a stateful resource on the next deploy: labels and the
# ledger would be orphaned. Update only with a migration plan.
STABLE_LOGICAL_IDS = {
    "AWS::S3::Bucket": "ChainingStorageBucket24474F15",
    "AWS::DynamoDB::Table": "ChainingLedgerTableDB40BA7C",
}
HANDLER_MODULES = {
    "inspect_job",
    "plan_chain",
    "create_child",
    "finalize_chain",
    "record_outcome",
    "sweep_jobs",
}
STACK_OUTPUTS = {
    "BucketName",
    "LedgerTableName",
    "TopicArn",
    "StateMachineArn",
    "DeadLetterQueueUrl",
    "EventRuleName",
}
PROJECTS = ["streetscenes", "pedestrians"]


def test_stable_logical_ids(synthesized: Synthesized) -> None:
    resources = synthesized.templates["streetscenes"]["Resources"]
    for resource_type, logical_id in STABLE_LOGICAL_IDS.items():
        assert resources.get(logical_id, {}).get("Type") == resource_type, (
            f"{resource_type} logical id changed (expected {logical_id})"
        )
    assert synthesized.templates["pedestrians"]["Resources"][STABLE_LOGICAL_IDS["AWS::DynamoDB::Table"]]


@pytest.mark.parametrize("project", PROJECTS)
def test_no_custom_resources_and_no_foreign_lambdas(synthesized: Synthesized, project: str) -> None:
    template = synthesized.templates[project]
    types = {r["Type"] for r in template["Resources"].values()}
    assert not {t for t in types if t.startswith("Custom::")}
    assert "AWS::CloudFormation::CustomResource" not in types
    assert "AWS::DynamoDB::GlobalTable" not in types  # TableV2 does not deploy offline
    functions = resources_of(template, "AWS::Lambda::Function")
    handlers = {f["Properties"]["Handler"] for f in functions.values()}
    assert handlers == {f"gtchain_runtime.handlers.{m}.handler" for m in HANDLER_MODULES}


@pytest.mark.parametrize("project", PROJECTS)
def test_generated_physical_names(synthesized: Synthesized, project: str) -> None:
    name_properties = {
        "AWS::S3::Bucket": "BucketName",
        "AWS::DynamoDB::Table": "TableName",
        "AWS::Lambda::Function": "FunctionName",
        "AWS::SNS::Topic": "TopicName",
        "AWS::SQS::Queue": "QueueName",
        "AWS::StepFunctions::StateMachine": "StateMachineName",
        "AWS::IAM::Role": "RoleName",
        "AWS::Logs::LogGroup": "LogGroupName",
        "AWS::Events::Rule": "Name",
        "AWS::CloudWatch::Alarm": "AlarmName",
        "AWS::CloudWatch::Dashboard": "DashboardName",
    }
    for logical_id, resource in synthesized.templates[project]["Resources"].items():
        name_property = name_properties.get(resource["Type"])
        if resource["Type"] == "AWS::Events::Rule" and "EventPattern" in resource["Properties"]:
            # The one exception: its target role's trust policy names its ARN (no cycle), and the
            # construct's unique id keeps it unique in the account and region.
            assert resource["Properties"]["Name"] == JOB_RULE_NAMES[project]
            continue
        assert name_property is None or name_property not in resource["Properties"], logical_id


@pytest.mark.parametrize("project", PROJECTS)
def test_stack_outputs(synthesized: Synthesized, project: str) -> None:
    assert set(synthesized.templates[project]["Outputs"]) == STACK_OUTPUTS


def test_created_bucket(synthesized: Synthesized) -> None:
    template = synthesized.templates["streetscenes"]
    bucket = template["Resources"][STABLE_LOGICAL_IDS["AWS::S3::Bucket"]]
    props = bucket["Properties"]
    assert bucket["DeletionPolicy"] == "Retain"
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"] == [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    ]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    log_bucket_id = props["LoggingConfiguration"]["DestinationBucketName"]["Ref"]
    assert log_bucket_id != STABLE_LOGICAL_IDS["AWS::S3::Bucket"]
    assert template["Resources"][log_bucket_id]["Type"] == "AWS::S3::Bucket"
    rules = {r["Id"]: r for r in props["LifecycleConfiguration"]["Rules"]}
    assert rules["abort-incomplete-uploads"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    chains = rules["expire-superseded-chain-files"]
    assert chains["Prefix"] == "chains/" and chains["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    assert "NotificationConfiguration" not in props  # bucket notifications need a custom resource


@pytest.mark.parametrize("project", ["streetscenes"])
def test_buckets_are_tls_only(synthesized: Synthesized, project: str) -> None:
    template = synthesized.templates[project]
    policies = resources_of(template, "AWS::S3::BucketPolicy")
    secured = {p["Properties"]["Bucket"]["Ref"] for p in policies.values() if _denies_insecure_transport(p)}
    assert secured == set(resources_of(template, "AWS::S3::Bucket"))


def _denies_insecure_transport(policy: dict[str, Any]) -> bool:
    return any(
        s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    )


def test_imported_bucket_is_not_created(synthesized: Synthesized) -> None:
    template = synthesized.templates["pedestrians"]
    assert resources_of(template, "AWS::S3::Bucket") == {}
    assert template["Outputs"]["BucketName"]["Value"] == "ped-labeling-data"


def test_ledger_table(synthesized: Synthesized) -> None:
    table = synthesized.templates["streetscenes"]["Resources"][STABLE_LOGICAL_IDS["AWS::DynamoDB::Table"]]
    assert table["DeletionPolicy"] == "Retain" and table["UpdateReplacePolicy"] == "Retain"
    props = table["Properties"]
    assert props["DeletionProtectionEnabled"] is True
    assert props["KeySchema"] == [
        {"AttributeName": "job_name", "KeyType": "HASH"},
        {"AttributeName": "record", "KeyType": "RANGE"},
    ]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["GlobalSecondaryIndexes"] == [
        {
            "IndexName": "by-root",
            "KeySchema": [
                {"AttributeName": "root", "KeyType": "HASH"},
                {"AttributeName": "recorded_at", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
    ]
    assert {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]} == {
        "job_name": "S",
        "record": "S",
        "root": "S",
        "recorded_at": "S",
    }


def test_topic_encrypted_tls_only_with_subscriptions(synthesized: Synthesized) -> None:
    template = synthesized.templates["pedestrians"]
    topic_id, topic = only_resource(template, "AWS::SNS::Topic")
    key_id, key = only_resource(template, "AWS::KMS::Key")
    assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert key["Properties"]["EnableKeyRotation"] is True
    (topic_policy,) = resources_of(template, "AWS::SNS::TopicPolicy").values()
    assert _denies_insecure_transport(topic_policy)
    subscriptions = resources_of(template, "AWS::SNS::Subscription").values()
    assert sorted(s["Properties"]["Endpoint"] for s in subscriptions) == ["a@example.com", "b@example.com"]
    for subscription in subscriptions:
        assert subscription["Properties"]["Protocol"] == "email"
        assert subscription["Properties"]["TopicArn"] == {"Ref": topic_id}
        assert "RedrivePolicy" in subscription["Properties"]


@pytest.mark.parametrize("project", PROJECTS)
def test_topic_key_lets_only_this_accounts_alarms_use_it(synthesized: Synthesized, project: str) -> None:
    # CloudWatch alarms publish to the encrypted topic: the key must let them, and only them.
    _, key = only_resource(synthesized.templates[project], "AWS::KMS::Key")
    services = [s for s in key["Properties"]["KeyPolicy"]["Statement"] if "Service" in s.get("Principal", {})]
    if project == "pedestrians":
        account: Any = "123456789012"
        alarms: Any = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*"
    else:
        account = {"Ref": "AWS::AccountId"}
        alarms = {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":cloudwatch:",
                    {"Ref": "AWS::Region"},
                    ":",
                    {"Ref": "AWS::AccountId"},
                    ":alarm:*",
                ],
            ]
        }
    assert services == [
        {
            "Sid": "AllowCloudWatchAlarmsOfThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {"aws:SourceArn": alarms},
            },
        }
    ]


@pytest.mark.parametrize("project", PROJECTS)
def test_functions_runtime_sizing_and_logs(synthesized: Synthesized, project: str) -> None:
    template = synthesized.templates[project]
    functions = resources_of(template, "AWS::Lambda::Function")
    (layer_id,) = resources_of(template, "AWS::Lambda::LayerVersion")
    for logical_id, function in functions.items():
        props = function["Properties"]
        module = props["Handler"].split(".")[-2]
        assert props["Runtime"] == "python3.12", logical_id
        assert props["Architectures"] == ["arm64"]
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert props["Layers"] == [{"Ref": layer_id}]
        log_group_id = props["LoggingConfig"]["LogGroup"]["Ref"]
        log_group = template["Resources"][log_group_id]
        assert log_group["Type"] == "AWS::Logs::LogGroup" and log_group["Properties"]["RetentionInDays"] == 90
        if module in {"plan_chain", "finalize_chain"}:
            assert props["MemorySize"] >= 1769
            assert props["Timeout"] >= 600
            assert props["EphemeralStorage"]["Size"] >= 2048
        else:
            assert 128 < props["MemorySize"] <= 1024
            assert props["Timeout"] <= 300
    # Every log group belongs to a function or the state machine: no log_retention leftovers.
    assert len(resources_of(template, "AWS::Logs::LogGroup")) == len(functions) + 1


@pytest.mark.parametrize("project", PROJECTS)
def test_function_environment_matches_the_runtime_settings(synthesized: Synthesized, project: str) -> None:
    template = synthesized.templates[project]
    config = synthesized.projects[project]
    contract = {field.alias for field in RuntimeSettings.model_fields.values()}
    powertools = {
        "POWERTOOLS_SERVICE_NAME": "gtchain",
        "POWERTOOLS_METRICS_NAMESPACE": "GtChain",
        # Traces keep errors, not the handlers' return values (debug.capture_responses is off).
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
        "POWERTOOLS_TRACER_CAPTURE_ERROR": "true",
    }
    for function in resources_of(template, "AWS::Lambda::Function").values():
        variables = function["Properties"]["Environment"]["Variables"]
        is_sweep = function["Properties"]["Handler"].endswith(".sweep_jobs.handler")
        expected = contract if is_sweep else contract - {"STATE_MACHINE_ARN"}
        assert set(variables) == expected | set(powertools)
        assert {k: variables[k] for k in powertools} == powertools
        # Tokens (Ref/GetAtt) become placeholders; the rest must validate as the handlers will.
        # The bucket's owner is the stack's account (a literal when the project pins its env).
        owner = "123456789012" if project == "pedestrians" else {"Ref": "AWS::AccountId"}
        assert variables["BUCKET_OWNER_ACCOUNT"] == owner
        resolved = {"BUCKET_OWNER_ACCOUNT": "123456789012"}
        concrete = {
            k: v if isinstance(v, str) else resolved.get(k, f"resolved-{k.lower()}")
            for k, v in variables.items()
        }
        settings = settings_from(concrete)
        assert settings.project_name == config.name
        assert settings.job_name_prefix == config.job_name_prefix
        assert settings.labeling_role_arn == config.labeling_role_arn
        assert settings.workteam_arn == config.workteam_arn
        assert settings.resume_stopped is config.policy.resume_stopped
        assert settings.max_depth == config.policy.max_depth
        assert settings.labeling_mode == config.policy.labeling_mode
        assert settings.algorithm_specification_arn == config.policy.algorithm_specification_arn
        assert settings.bucket_owner_account == "123456789012"


def test_resources_are_tagged_with_the_project(synthesized: Synthesized) -> None:
    synthesized.template("pedestrians").has_resource_properties(
        "AWS::Lambda::Function",
        {"Tags": Match.array_with([{"Key": "gtchain:project", "Value": "pedestrians"}])},
    )


@pytest.mark.parametrize("project", ["streetscenes", "pedestrians"])
def test_dead_letter_queue_is_retained(synthesized: Synthesized, project: str) -> None:
    (queue,) = resources_of(synthesized.templates[project], "AWS::SQS::Queue").values()
    assert queue["DeletionPolicy"] == "Retain" and queue["UpdateReplacePolicy"] == "Retain"
