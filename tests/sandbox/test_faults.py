"""Fault injection knobs (gtchain.sandbox.faults): AWS error shapes as boto3 reads them, only
for role sessions, by count or rate, aimed by a match; lost events; crashed workers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from gtchain.sandbox import Sandbox
from gtchain.sandbox.iam.credentials import credentials_for

ENFORCE_IAM = False  # the knobs, not the policies, are under test
ROLE = "arn:aws:iam::123456789012:role/sandbox-test-lambda"
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


@pytest.fixture(autouse=True)
def clean_knobs(sandbox: Sandbox) -> Iterator[None]:
    sandbox.faults.reset()
    yield
    sandbox.faults.reset()


def role_client(sandbox: Sandbox, service: str, config: Config = NO_RETRIES) -> Any:
    credentials = credentials_for(ROLE, "faults-test")
    return boto3.client(
        service,
        endpoint_url=sandbox.endpoint,
        region_name="us-east-1",
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        aws_session_token=credentials.session_token,
        config=config,
    )


def error_of(call: Callable[[], Any]) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_sagemaker_throttling_by_count_then_through(sandbox: Sandbox) -> None:
    fault = sandbox.faults.inject("sagemaker", "ListLabelingJobs", "ThrottlingException", count=2)
    client = role_client(sandbox, "sagemaker")
    assert error_of(client.list_labeling_jobs) == ("ThrottlingException", 400)
    assert error_of(client.list_labeling_jobs) == ("ThrottlingException", 400)
    client.list_labeling_jobs()
    assert fault.fired == 2 and fault.spent


def test_only_role_sessions_are_faulted(sandbox: Sandbox) -> None:
    sandbox.faults.inject("sagemaker", "ListLabelingJobs", "InternalFailure", count=1)
    sandbox.client("sagemaker", config=NO_RETRIES).list_labeling_jobs()  # the test's own key
    assert error_of(role_client(sandbox, "sagemaker").list_labeling_jobs) == ("InternalFailure", 500)


def test_s3_dynamodb_sns_error_shapes(sandbox: Sandbox) -> None:
    s3, dynamodb, sns = (role_client(sandbox, name) for name in ("s3", "dynamodb", "sns"))
    sandbox.client("s3").create_bucket(Bucket="faults")
    sandbox.client("s3").put_object(Bucket="faults", Key="a/b", Body=b"x")
    sandbox.faults.inject("s3", "GetObject", "SlowDown", count=1)
    sandbox.faults.inject("s3", "HeadObject", "SlowDown", count=1)
    sandbox.faults.inject("s3", "PutObject", "InternalError", count=1)
    assert error_of(lambda: s3.get_object(Bucket="faults", Key="a/b")) == ("SlowDown", 503)
    assert error_of(lambda: s3.head_object(Bucket="faults", Key="a/b"))[1] == 503
    assert error_of(lambda: s3.put_object(Bucket="faults", Key="a/c", Body=b"y")) == ("InternalError", 500)
    assert s3.get_object(Bucket="faults", Key="a/b")["Body"].read() == b"x"

    sandbox.client("dynamodb").create_table(
        TableName="faults",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    sandbox.faults.inject("dynamodb", "PutItem", "ProvisionedThroughputExceededException", count=1)
    sandbox.faults.inject("dynamodb", "PutItem", "ThrottlingException", count=1)
    put = lambda: dynamodb.put_item(TableName="faults", Item={"k": {"S": "1"}})  # noqa: E731
    assert error_of(put) == ("ProvisionedThroughputExceededException", 400)
    assert error_of(put) == ("ThrottlingException", 400)
    put()

    topic = sandbox.client("sns").create_topic(Name="faults")["TopicArn"]
    sandbox.faults.inject("sns", "Publish", "Throttled", count=1)
    sandbox.faults.inject("sns", "Publish", "InternalError", count=1)
    publish = lambda: sns.publish(TopicArn=topic, Message="m")  # noqa: E731
    assert error_of(publish) == ("Throttled", 429)
    assert error_of(publish) == ("InternalError", 500)
    publish()


def test_match_aims_at_one_job_and_rate_faults_a_share(sandbox: Sandbox) -> None:
    client = role_client(sandbox, "sagemaker")
    fault = sandbox.faults.inject(
        "sagemaker", "DescribeLabelingJob", "ThrottlingException", count=5, match="Aimed-Job"
    )
    assert (
        error_of(lambda: client.describe_labeling_job(LabelingJobName="Other-Job"))[0]
        != "ThrottlingException"
    )
    assert (
        error_of(lambda: client.describe_labeling_job(LabelingJobName="aimed-job"))[0]
        == "ThrottlingException"
    )
    assert fault.fired == 1

    sandbox.faults.reset()
    shared = sandbox.faults.inject("sagemaker", "ListLabelingJobs", "ThrottlingException", rate=0.3)
    failed = 0
    for _ in range(200):
        try:
            client.list_labeling_jobs()
        except ClientError:
            failed += 1
    assert failed == shared.fired and 30 <= failed <= 90


def test_standard_retries_absorb_a_throttle(sandbox: Sandbox) -> None:
    fault = sandbox.faults.inject("sagemaker", "ListLabelingJobs", "ThrottlingException", count=2)
    client = role_client(sandbox, "sagemaker", Config(retries={"mode": "standard", "total_max_attempts": 3}))
    client.list_labeling_jobs()
    assert fault.fired == 2


def test_knob_arguments_are_checked(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        sandbox.faults.inject("s3", "GetObject", "SlowDown")
    with pytest.raises(ValueError, match="status"):
        sandbox.faults.inject("s3", "GetObject", "NoSuchThing", count=1)


def test_crash_after_a_successful_call_and_corrupted_result(
    sandbox: Sandbox, make_function: Callable[..., str]
) -> None:
    source = (
        "import boto3\n"
        "def handler(event, context):\n"
        "    boto3.client('sns').create_topic(Name='topic-of-' + event['resources'][0].rsplit('/', 1)[-1])\n"
        "    boto3.client('sqs').create_queue(QueueName='after-the-crash')\n"
        "    return {'decision': 'CHAIN', 'job': event['resources'][0]}\n"
    )
    arn = make_function({"app.py": source}, "app.handler")
    name = arn.rsplit(":", 1)[-1]
    client = sandbox.client("lambda")
    event = {"resources": ["arn:aws:sagemaker:us-east-1:123456789012:labeling-job/crash-me"]}

    def invoke() -> tuple[dict[str, Any], str | None]:
        answer = client.invoke(FunctionName=arn, Payload=json.dumps(event).encode())
        return json.loads(answer["Payload"].read()), answer.get("FunctionError")

    missed = sandbox.faults.crash(name, after=("sns", "CreateTopic"), job="other-job")
    crash = sandbox.faults.crash(name, after=("sns", "CreateTopic"), job="Crash-Me")
    payload, error = invoke()
    assert error == "Unhandled" and payload["errorType"] == "Runtime.ExitError"
    assert crash.fired == 1 and missed.fired == 0
    assert "topic-of-crash-me" in str(sandbox.client("sns").list_topics()), (
        "the call before the crash happened"
    )
    assert "after-the-crash" not in str(sandbox.client("sqs").list_queues()), "nothing ran after it"
    assert invoke()[0]["decision"] == "CHAIN"

    corrupt = sandbox.faults.corrupt_result(name, {"decision": "MAYBE"})
    assert invoke()[0]["decision"] == "MAYBE" and corrupt.fired == 1
    assert invoke()[0]["decision"] == "CHAIN"


def test_lost_events_never_reach_a_rule(sandbox: Sandbox) -> None:
    events, sqs = sandbox.client("events"), sandbox.client("sqs")
    queue = sqs.create_queue(QueueName="lost-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(Name="lost", EventPattern=json.dumps({"source": ["aws.sagemaker"]}))
    events.put_targets(Rule="lost", Targets=[{"Id": "q", "Arn": queue_arn}])
    lost = sandbox.faults.lose_events("Lost-Job")

    def put(job: str) -> None:
        arn = f"arn:aws:sagemaker:us-east-1:123456789012:labeling-job/{job}"
        events.put_events(
            Entries=[{"Source": "aws.sagemaker", "DetailType": "x", "Detail": "{}", "Resources": [arn]}]
        )

    put("lost-job")
    put("kept-job")
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"])["resources"][0].rsplit("/", 1)[-1] for m in messages] == ["kept-job"]
    assert lost.fired == 1
