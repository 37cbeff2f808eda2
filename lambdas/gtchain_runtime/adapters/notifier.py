"""Notifications to the project's SNS topic (people subscribe by e-mail)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the stubs are a dev dependency: the Lambda runtime only has boto3
    from mypy_boto3_sns import SNSClient

# SNS e-mail subjects: at most 100 characters, no line breaks.
MAX_SUBJECT_LENGTH = 100


class Notifier:
    def __init__(self, client: SNSClient, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    def notify(self, subject: str, message: str) -> str:
        """Publish; the SNS message id."""
        clean_subject = " ".join(subject.split())
        if len(clean_subject) > MAX_SUBJECT_LENGTH:
            clean_subject = clean_subject[: MAX_SUBJECT_LENGTH - 3] + "..."
        response = self._client.publish(TopicArn=self._topic_arn, Subject=clean_subject, Message=message)
        return str(response["MessageId"])
