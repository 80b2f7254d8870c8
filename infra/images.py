"""Image attachments: where originals are uploaded, where derived images live, and what makes
the one into the other.

    browser ─ presigned POST ─► uploads bucket: originals/{id} (private; gone after a day)
        ObjectCreated ─► queue (+ dead-letter queue after 3 receives)
            ─► thumbnail function ─► media bucket: media/{id}/... + the attachment item

When an unused attachment's item expires, the media cleanup (infra/media_cleanup.py) deletes
its images.

The media bucket is private too: CloudFront serves it at ``/media/*`` through origin access
control (``media_bucket``, for the distribution), so ``/media/{id}/thumb.jpg`` is the object
``media/{id}/thumb.jpg``. The api function signs the presigned POSTs, so it may put objects
under ``originals/`` (and nothing else). The pages' content security policy must let them
post to the bucket (``upload_origin``).

CORS: the bucket lets any origin post by default (``upload_origins``). That is a choice, not a
shortcut. The pages' CSP names the bucket and the distribution carries that policy, so a CORS
rule naming the distribution's address would make bucket, policy and distribution depend on
each other in a circle that CloudFormation refuses. And "*" gives nobody anything: a form POST
crosses origins whatever CORS says (CORS only decides whether the page may read S3's answer),
and what makes a POST succeed is the presigned policy, which only the API hands out, to a
member's token, with no CORS of its own. With a custom domain, pass it as ``upload_origins``.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from forum import settings as env
from forum.schema import MEDIA_PREFIX, ORIGINALS_PREFIX

from .buckets import private_bucket
from .config import ForumConfig
from .functions import forum_function
from .nag import acknowledge

THUMBNAIL_HANDLER = "thumbnail.handler.lambda_handler"
# bench/thumbnail.py recommends 896 MB for the worst upload (50 MP within 10 MB); a little more
# also buys CPU, which Lambda hands out in proportion to memory.
THUMBNAIL_MEMORY_MB = 1024
THUMBNAIL_TIMEOUT = Duration.seconds(30)
# SQS's advice: at least six times the function's timeout, so that a batch that is still being
# retried by the event source mapping is not handed out twice.
VISIBILITY_TIMEOUT = Duration.seconds(6 * 30)
MAX_RECEIVE_COUNT = 3
ORIGINALS_LIFETIME = Duration.days(1)


class ForumImages(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ForumConfig,
        table: dynamodb.Table,
        layer: lambda_.ILayerVersion,
        api_function: lambda_.Function,
        upload_origins: Sequence[str] = ("*",),
    ) -> None:
        super().__init__(scope, construct_id)

        self.uploads_bucket = private_bucket(
            self,
            "Uploads",
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.POST],
                    allowed_origins=list(upload_origins),
                    max_age=3000,
                )
            ],
            lifecycle_rules=[
                # Originals are never served: once the images are made they are of no use. An
                # original attached to a post goes too; its derived images stay.
                s3.LifecycleRule(
                    id="OriginalsAfterADay",
                    prefix=ORIGINALS_PREFIX,
                    expiration=ORIGINALS_LIFETIME,
                    abort_incomplete_multipart_upload_after=ORIGINALS_LIFETIME,
                ),
            ],
        )
        self.media_bucket = private_bucket(
            self,
            "Media",
        )
        acknowledge(
            self.uploads_bucket,
            {
                "AwsSolutions-S1": (
                    "Only presigned POSTs write here, each for one key named after the attachment "
                    "it was signed for, and the attachment item records the member who asked for "
                    "it; the thumbnail function is the only reader. Server access logs would add "
                    "a log bucket that tells nothing the table does not."
                ),
            },
        )
        acknowledge(
            self.media_bucket,
            {
                "AwsSolutions-S1": (
                    "Only the thumbnail function writes here and only CloudFront reads (origin "
                    "access control); the derived images are public. Who fetched which image is "
                    "CloudFront's to log, not the bucket's."
                ),
            },
        )

        self.dead_letters = sqs.Queue(
            self,
            "ThumbnailDeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        self.queue = sqs.Queue(
            self,
            "Thumbnails",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=VISIBILITY_TIMEOUT,
            retention_period=Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(
                max_receive_count=MAX_RECEIVE_COUNT, queue=self.dead_letters
            ),
        )
        self.uploads_bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.SqsDestination(self.queue),
            s3.NotificationKeyFilter(prefix=ORIGINALS_PREFIX),
        )

        self.function = self._thumbnail_function(config, table, layer)
        self.function.add_event_source(
            event_sources.SqsEventSource(
                self.queue,
                batch_size=config.thumbnail_batch_size,
                report_batch_item_failures=True,
                # Never more pollers than reserved instances: a throttled invocation would count
                # as a receive and send good uploads to the dead-letter queue.
                max_concurrency=(
                    config.thumbnail_concurrency if config.thumbnail_concurrency >= 2 else None
                ),
            )
        )

        # The api function signs the presigned POSTs: it may put originals, nothing else.
        api_function.add_environment(env.UPLOADS_BUCKET_ENV, self.uploads_bucket.bucket_name)
        api_function.add_environment(env.MAX_UPLOAD_BYTES_ENV, str(config.max_upload_bytes))
        api_function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"],
                resources=[self.uploads_bucket.arn_for_objects(f"{ORIGINALS_PREFIX}*")],
            )
        )
        uploads_id = _logical_id(self.uploads_bucket)
        assert api_function.role is not None
        acknowledge(
            api_function.role,
            {
                f"AwsSolutions-IAM5[Resource::<{uploads_id}.Arn>/{ORIGINALS_PREFIX}*]": (
                    "The api function signs the presigned POSTs of uploads, each for one key "
                    "under originals/ (pinned in the POST's policy); S3 accepts such a POST only "
                    "from a signer who may put objects there."
                ),
            },
        )

        self._acknowledge_notifications_handler()

    @property
    def upload_origin(self) -> str:
        """Where browsers post uploads (the presigned POSTs' URL): for the pages' CSP."""
        return f"https://{self.uploads_bucket.bucket_regional_domain_name}"

    def _thumbnail_function(
        self, config: ForumConfig, table: dynamodb.Table, layer: lambda_.ILayerVersion
    ) -> lambda_.Function:
        function, role = forum_function(
            self,
            "Thumbnail",
            description="Makes the thumbnail and display image of each uploaded original",
            role_description=(
                "The forum's thumbnail function: its log group, X-Ray, reading originals, "
                "writing derived images and the attachment (and post or profile) items"
            ),
            handler=THUMBNAIL_HANDLER,
            service="forum-thumbnail",
            layer=layer,  # Pillow is in the shared layer
            config=config,
            memory_size=THUMBNAIL_MEMORY_MB,
            timeout=THUMBNAIL_TIMEOUT,
            # 0 in the context: no reservation (new accounts may have too little concurrency
            # to reserve any).
            reserved_concurrent_executions=config.thumbnail_concurrency or None,
            environment={
                # Read by forum.settings.get_settings().
                env.TABLE_ENV: table.table_name,
                env.MEDIA_BUCKET_ENV: self.media_bucket.bucket_name,
                env.MAX_UPLOAD_BYTES_ENV: str(config.max_upload_bytes),
            },
        )
        # Least privilege, spelled out: the grant_* helpers would add wildcard actions.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[self.uploads_bucket.arn_for_objects(f"{ORIGINALS_PREFIX}*")],
            )
        )
        # Listing lets S3 answer "no such key" (rather than "access denied") for an original
        # that is gone, which the function reports on the attachment instead of retrying.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"], resources=[self.uploads_bucket.bucket_arn]
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"],
                resources=[self.media_bucket.arn_for_objects(f"{MEDIA_PREFIX}*")],
            )
        )
        # Attachment, post and profile items: read one, update it on a condition.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:UpdateItem"],
                resources=[table.table_arn],
            )
        )
        uploads_id, media_id = _logical_id(self.uploads_bucket), _logical_id(self.media_bucket)
        acknowledge(
            role,
            {
                "AwsSolutions-IAM5[Resource::*]": (
                    "X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level "
                    "permissions, so active tracing can only be granted on '*'."
                ),
                f"AwsSolutions-IAM5[Resource::<{uploads_id}.Arn>/{ORIGINALS_PREFIX}*]": (
                    "The function reads any uploaded original (s3:GetObject only): their keys "
                    "are originals/{attachment id}, known only when S3 announces them."
                ),
                f"AwsSolutions-IAM5[Resource::<{media_id}.Arn>/{MEDIA_PREFIX}*]": (
                    "The function writes the derived images of any attachment (s3:PutObject "
                    "only), under media/{attachment id}/."
                ),
            },
        )
        return function

    def _acknowledge_notifications_handler(self) -> None:
        """CDK's own function that sets up the bucket's notifications while the stack deploys."""
        findings = {
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]": (
                "CDK's BucketNotificationsHandler logs with the AWS managed basic execution "
                "policy; it runs only while the stack deploys."
            ),
        }
        for handler in _notification_handlers(Stack.of(self)):
            acknowledge(handler, findings)


def _logical_id(construct: IConstruct) -> str:
    resource = construct.node.default_child
    assert isinstance(resource, s3.CfnBucket)
    return str(Stack.of(construct).resolve(resource.logical_id))


def _notification_handlers(stack: Stack) -> list[IConstruct]:
    return [
        child
        for child in stack.node.children
        if child.node.id.startswith("BucketNotificationsHandler")
    ]
