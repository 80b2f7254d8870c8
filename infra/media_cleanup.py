"""The images of attachments nobody uses are deleted when their items go.

    table (TTL deletes an unused attachment) ─ stream, keys only ─► event source mapping
        (only REMOVE of ATTACHMENT#… items) ─► media cleanup function ─► media bucket:
        every object under media/{id}/ is deleted
            └─ a batch that keeps failing ─► dead-letter queue (an alarm watches it)

The filter is the mapping's: Lambda reads every record of the stream for free and invokes the
function only for the removal of an attachment item, so a forum at rest (or busy with posts)
invokes nothing. The original is not touched: the uploads bucket's lifecycle rule deletes it a
day after the upload, and an attachment expires two days after it at the earliest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from forum import schema
from forum import settings as env

from .config import ForumConfig
from .functions import TRACING_REASON, forum_function
from .nag import acknowledge

MEDIA_CLEANUP_HANDLER = "media_cleanup.handler.lambda_handler"
# A list and a delete per attachment, about a tenth of a second: a full batch in ten seconds.
BATCH_SIZE = 100
TIMEOUT = Duration.seconds(60)
MEMORY_MB = 256
# Each retry starts at the first failed record, and a failing batch is halved (bisect) on the
# way, so a bad record is found in a few attempts; then the batch goes to the dead-letter queue
# instead of holding up the shard until its records expire (a day).
RETRY_ATTEMPTS = 5


def removed_attachments_filter() -> Mapping[str, Any]:
    """Lambda's filter: the removal (TTL or any other delete) of an attachment item."""
    return lambda_.FilterCriteria.filter(
        {
            "eventName": lambda_.FilterRule.is_equal("REMOVE"),
            "dynamodb": {
                "Keys": {
                    schema.PARTITION_KEY: {
                        "S": lambda_.FilterRule.begins_with(schema.ATTACHMENT_PK_PREFIX)
                    }
                }
            },
        }
    )


class ForumMediaCleanup(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ForumConfig,
        table: dynamodb.ITable,
        media_bucket: s3.IBucket,
        layer: lambda_.ILayerVersion,
    ) -> None:
        super().__init__(scope, construct_id)

        # What Lambda sends here is the description of a failed batch (shard, first and last
        # sequence numbers), not the records: see the README for what to do with it.
        self.dead_letters = sqs.Queue(
            self,
            "MediaCleanupDeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        acknowledge(
            self.dead_letters,
            {
                "AwsSolutions-SQS3": (
                    "This queue is itself a dead-letter queue: the on-failure destination of "
                    "the table stream's event source mapping, which SQS3 cannot see (it looks "
                    "for queues named in a redrive policy)."
                ),
            },
        )

        function, role = forum_function(
            self,
            "MediaCleanup",
            description="Deletes the images of attachments whose items are gone",
            role_description=(
                "The forum's media cleanup function: its log group, X-Ray, reading the table's "
                "stream, listing and deleting derived images under media/"
            ),
            handler=MEDIA_CLEANUP_HANDLER,
            service="forum-media-cleanup",
            layer=layer,
            config=config,
            memory_size=MEMORY_MB,
            timeout=TIMEOUT,
            environment={env.MEDIA_BUCKET_ENV: media_bucket.bucket_name},
        )
        self.function = function
        function.add_event_source(
            event_sources.DynamoEventSource(
                table,
                # From the oldest record the stream keeps: nothing removed between the stream's
                # creation and the mapping's is missed.
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=BATCH_SIZE,
                bisect_batch_on_error=True,
                retry_attempts=RETRY_ATTEMPTS,
                report_batch_item_failures=True,
                on_failure=event_sources.SqsDlq(self.dead_letters),
                filters=[removed_attachments_filter()],
            )
        )

        # Least privilege, spelled out: listing only under media/, deleting only there.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[media_bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{schema.MEDIA_PREFIX}*"]}},
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:DeleteObject"],
                resources=[media_bucket.arn_for_objects(f"{schema.MEDIA_PREFIX}*")],
            )
        )
        media_resource = media_bucket.node.default_child
        assert isinstance(media_resource, s3.CfnBucket)
        media_id = Stack.of(self).resolve(media_resource.logical_id)
        acknowledge(
            role,
            {
                "AwsSolutions-IAM5[Resource::*]": (
                    f"{TRACING_REASON} And dynamodb:ListStreams, which the event source "
                    "mapping's grant adds, supports none either; the stream's records are read "
                    "only from this table's stream."
                ),
                f"AwsSolutions-IAM5[Resource::<{media_id}.Arn>/{schema.MEDIA_PREFIX}*]": (
                    "The function deletes the derived images of any attachment whose item is "
                    "gone (s3:DeleteObject only), under media/{attachment id}/, ids it learns "
                    "from the table's stream."
                ),
            },
        )
