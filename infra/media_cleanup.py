"""The images of attachments nobody uses are deleted when their items go.

    table (TTL deletes an unused attachment) ─ stream ─► changes function (infra/changes.py)
        ─► the media cleanup queue (only REMOVE of attachment items)
        ─► media cleanup function ─► media bucket: every object under media/{id}/ is deleted
            └─ a message that keeps failing ─► dead-letter queue (an alarm watches it)

The subscription is the filter: the changes function sends this queue only the removal of an
attachment item, and the stream's mapping lets through only what some queue wants, so a forum
at rest (or busy with posts) invokes nothing here. The original is not touched: the uploads
bucket's lifecycle rule deletes it a day after the upload, and an attachment expires two days
after it at the earliest.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from forum import schema
from forum import settings as env

from .changes import ForumChangeFeed
from .config import ForumConfig
from .functions import TRACING_REASON, forum_function
from .nag import acknowledge

MEDIA_CLEANUP_HANDLER = "media_cleanup.handler.lambda_handler"
# A list and a delete per attachment, about a tenth of a second: a full batch in a second.
BATCH_SIZE = 10
TIMEOUT = Duration.seconds(60)
MEMORY_MB = 256


class ForumMediaCleanup(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ForumConfig,
        changes: ForumChangeFeed,
        media_bucket: s3.IBucket,
        layer: lambda_.ILayerVersion,
    ) -> None:
        super().__init__(scope, construct_id)

        function, role = forum_function(
            self,
            "MediaCleanup",
            description="Deletes the images of attachments whose items are gone",
            role_description=(
                "The forum's media cleanup function: its log group, X-Ray, reading its queue "
                "of the table's changes, listing and deleting derived images under media/"
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
        subscriber = changes.subscribe(
            "MediaCleanup",
            function,
            kinds={"attachment"},
            events={"REMOVE"},
            batch_size=BATCH_SIZE,
            advice="images were left behind; see the README's Image attachments",
        )
        self.queue = subscriber.queue
        self.dead_letters = subscriber.dead_letters

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
                "AwsSolutions-IAM5[Resource::*]": TRACING_REASON,
                f"AwsSolutions-IAM5[Resource::<{media_id}.Arn>/{schema.MEDIA_PREFIX}*]": (
                    "The function deletes the derived images of any attachment whose item is "
                    "gone (s3:DeleteObject only), under media/{attachment id}/, ids it learns "
                    "from the table's changes."
                ),
            },
        )
