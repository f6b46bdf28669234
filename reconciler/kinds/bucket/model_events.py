"""The desired state of a bucket's event notifications."""

from __future__ import annotations

from pydantic import Field

from reconciler.spec.common import SpecModel


class KeyFilter(SpecModel):
    prefix: str | None = Field(None, description="Only keys starting with this.")
    suffix: str | None = Field(None, description="Only keys ending with this.")


class Notification(SpecModel):
    id: str | None = Field(
        None, description="The configuration's id; left out, S3 makes one up (and it is ignored)."
    )
    arn: str = Field(description="The queue's, topic's or function's ARN.")
    events: list[str] = Field(description='S3 event types, such as "s3:ObjectCreated:*".')
    filter: KeyFilter | None = Field(None, description="Which keys (prefix, suffix).")


class Notifications(SpecModel):
    eventbridge: bool = Field(False, description="Send every event to Amazon EventBridge.")
    queues: list[Notification] = Field(default_factory=list, description="SQS queues.")
    topics: list[Notification] = Field(default_factory=list, description="SNS topics.")
    lambdas: list[Notification] = Field(default_factory=list, description="Lambda functions.")
