"""The forum's stack: composes one construct per concern and exports what clients need."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from forum.origin import ORIGIN_HEADER

from .api import ForumApi
from .auth import ForumAuth
from .cdn import ForumCdn
from .config import ForumConfig
from .data import ForumTable
from .edge import WEB_ACL_NAME, ForumEdgeStack
from .images import ForumImages
from .media_cleanup import ForumMediaCleanup
from .monitoring import ForumMonitoring
from .notifications import ForumNotifications
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
        self.images = ForumImages(
            self,
            "Images",
            config=config,
            table=self.data.table,
            layer=self.api.layer,
            api_function=self.api.function,
        )
        self.media_cleanup = ForumMediaCleanup(
            self,
            "MediaCleanup",
            config=config,
            table=self.data.table,
            media_bucket=self.images.media_bucket,
            layer=self.api.layer,
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

        self.monitoring = ForumMonitoring(
            self, "Monitoring", http_api=self.api.http_api, table=self.data.table
        )
        self.monitoring.watch_function("Api", self.api.function)
        self.monitoring.watch_function("Site", self.site.function)
        self.monitoring.watch_function("Thumbnail", self.images.function)
        self.monitoring.watch_dead_letter_queue("Thumbnails", self.images.dead_letters)
        self.monitoring.watch_function("MediaCleanup", self.media_cleanup.function)
        self.monitoring.watch_dead_letter_queue(
            "MediaCleanup",
            self.media_cleanup.dead_letters,
            advice="images were left behind; see the README's Image attachments",
        )
        self.monitoring.watch_function("Notifier", self.notifications.function)
        self.monitoring.watch_web_acl(WEB_ACL_NAME, edge.region)

        CfnOutput(self, "SiteUrl", value=self.cdn.url, description="The forum, through CloudFront")
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
            "MediaBucketName",
            value=self.images.media_bucket.bucket_name,
            description="Derived images, served at /media/*",
        )
