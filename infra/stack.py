"""The forum's stack: composes one construct per concern and exports what clients need."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from forum.origin import ORIGIN_HEADER

from .api import ForumApi
from .auth import ForumAuth
from .cdn import ForumCdn
from .changes import ForumChangeFeed
from .config import ForumConfig
from .data import ForumTable
from .edge import WEB_ACL_NAME, ForumEdgeStack
from .images import ForumImages
from .mail import ForumMail
from .media_cleanup import ForumMediaCleanup
from .monitoring import ForumMonitoring
from .notifications import NOTIFIED_EVENTS, NOTIFIED_KINDS, ForumNotifications
from .pricing_plan import DISTRIBUTION_ARN_OUTPUT
from .search import INDEXER_EVENTS, INDEXER_KINDS, INDEXER_MAX_RECEIVES, ForumSearch
from .site import ForumSite


class ForumStack(Stack):
    """Environment-agnostic: synthesizes without credentials; deploys to the CLI's account and
    region, after ``edge``, the us-east-1 stack whose web ACL guards its CloudFront."""

    def __init__(
        self, scope: Construct, construct_id: str, *, edge: ForumEdgeStack, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        config = ForumConfig.from_context(self)

        self.data = ForumTable(self, "Data")
        self.auth = ForumAuth(self, "Auth", config=config)
        self.api = ForumApi(
            self,
            "Api",
            config=config,
            table=self.data.table,
            user_pool=self.auth.user_pool,
            user_pool_client=self.auth.client,
        )
        self.auth.check_sign_ups(config=config, table=self.data.table, layer=self.api.layer)
        self.auth.word_mail(config=config, table=self.data.table, layer=self.api.layer)
        self.images = ForumImages(
            self,
            "Images",
            config=config,
            table=self.data.table,
            layer=self.api.layer,
            api_function=self.api.function,
        )
        # Subscribed to the change feed's post and topic INSERTs (infra/notifications.py).
        self.notifications = ForumNotifications(
            self, "Notifications", config=config, table=self.data.table, layer=self.api.layer
        )
        self.site = ForumSite(
            self,
            "Site",
            config=config,
            table=self.data.table,
            http_api=self.api.http_api,
            layer=self.api.layer,
        )
        # The pages too answer only what came through CloudFront.
        self.api.require_origin_header(self.site.function)
        self.search = ForumSearch(
            self,
            "Search",
            config=config,
            table=self.data.table,
            http_api=self.api.http_api,
            stage=self.api.stage,
            layer=self.api.layer,
        )
        self.api.require_origin_header(self.search.function)
        cognito_origin = f"https://cognito-idp.{self.region}.{self.url_suffix}"
        self.cdn = ForumCdn(
            self,
            "Cdn",
            api_origin_domain=self.api.origin_domain,
            origin_headers={ORIGIN_HEADER: self.api.origin_header_value},
            # /config.json: what the browser's scripts need (the local runtime serves the same).
            browser_config={
                "region": self.region,
                "api_base": "/api",
                "media_base": "/media",
                "cognito": {
                    "endpoint": f"{cognito_origin}/",
                    "user_pool_id": self.auth.user_pool.user_pool_id,
                    "client_id": self.auth.client.user_pool_client_id,
                },
                "max_upload_bytes": config.max_upload_bytes,
            },
            # Signing in, up and out goes from the browser straight to Cognito, and uploads
            # straight to the uploads bucket.
            connect_sources=[cognito_origin, self.images.upload_origin],
            web_acl_arn=edge.web_acl_arn(self),
            # /media/*: the derived images, through origin access control.
            media_bucket=self.images.media_bucket,
        )
        # The pages name the build's hashed files only once those are in the web bucket.
        self.site.function.node.add_dependency(self.cdn.hashed_assets)
        self.search.function.node.add_dependency(self.cdn.hashed_assets)

        self.monitoring = ForumMonitoring(
            self, "Monitoring", http_api=self.api.http_api, table=self.data.table
        )
        self.monitoring.watch_function("Api", self.api.function)
        self.monitoring.watch_function("Site", self.site.function)
        self.monitoring.watch_function("Thumbnail", self.images.function)
        self.monitoring.watch_dead_letter_queue("Thumbnails", self.images.dead_letters)
        self.monitoring.watch_function("Search", self.search.function)
        self.monitoring.watch_function("Indexer", self.search.indexer)
        self.monitoring.watch_function("Notifier", self.notifications.function)
        self.monitoring.watch_web_acl(WEB_ACL_NAME, edge.region)

        # The table stream's one reader: every feature that wants the table's changes
        # subscribes a queue of its own here (infra/changes.py), after the monitoring that
        # alarms on their dead-letter queues.
        self.changes = ForumChangeFeed(
            self,
            "Changes",
            config=config,
            table=self.data.table,
            layer=self.api.layer,
            monitoring=self.monitoring,
        )
        self.media_cleanup = ForumMediaCleanup(
            self,
            "MediaCleanup",
            config=config,
            changes=self.changes,
            media_bucket=self.images.media_bucket,
            layer=self.api.layer,
        )
        self.monitoring.watch_function("MediaCleanup", self.media_cleanup.function)
        # New posts and topics become members' notifications, off the write path.
        self.changes.subscribe(
            "Notifications",
            self.notifications.function,
            kinds=NOTIFIED_KINDS,
            events=NOTIFIED_EVENTS,
            advice="members were not told of new posts; see the README's redrive command",
        )
        # The search index's one writer: one message group, in the stream's order.
        self.changes.subscribe(
            "Search",
            self.search.indexer,
            kinds=INDEXER_KINDS,
            events=INDEXER_EVENTS,
            fifo=True,
            max_receive_count=INDEXER_MAX_RECEIVES,
            advice="posts are missing from search; redrive, or rebuild (README: Search)",
        )

        # The forum's own mail: unsubscribe links everywhere; sending only with forum:mailFrom.
        # A feature that mails members calls self.mail.allow_sending(its function).
        self.mail = ForumMail(
            self,
            "Mail",
            config=config,
            table=self.data.table,
            layer=self.api.layer,
            site_url=self.cdn.url,
        )
        self.mail.allow_unsubscribing(self.api.function)
        if self.mail.events_function is not None:
            self.monitoring.watch_function("MailEvents", self.mail.events_function)

        CfnOutput(self, "SiteUrl", value=self.cdn.url, description="The forum, through CloudFront")
        # Read by the ForumPlan stack when a flat-rate plan is chosen (infra/pricing_plan.py).
        CfnOutput(
            self,
            DISTRIBUTION_ARN_OUTPUT,
            value=self.cdn.distribution.distribution_arn,
            description="The CloudFront distribution (a pricing plan subscribes it)",
        ).override_logical_id(DISTRIBUTION_ARN_OUTPUT)
        # No output names the HTTP API's own address: CloudFront is the forum's only entry
        # (infra/api.py). With a custom domain, its DNS record must point somewhere.
        if self.api.domain is not None and self.api.domain_name is not None:
            CfnOutput(
                self,
                "ApiOriginDnsTarget",
                value=self.api.domain.regional_domain_name,
                description=(
                    f"Make {self.api.domain_name} a CNAME of this name (CloudFront's origin)"
                ),
            )
        CfnOutput(self, "UserPoolId", value=self.auth.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=self.auth.client.user_pool_client_id)
        CfnOutput(self, "TableName", value=self.data.table.table_name)
        CfnOutput(
            self,
            "UploadsBucketName",
            value=self.images.uploads_bucket.bucket_name,
            description="Uploaded originals (private; kept a day)",
        )
        CfnOutput(
            self,
            "SearchIndexBucketName",
            value=self.search.index_bucket.bucket_name,
            description="The search index (make reindex rebuilds it from the table)",
        )
        CfnOutput(
            self,
            "IndexerFunctionName",
            value=self.search.indexer.function_name,
            description="The search index's one writer",
        )
        CfnOutput(
            self,
            "MediaBucketName",
            value=self.images.media_bucket.bucket_name,
            description="Derived images, served at /media/*",
        )
