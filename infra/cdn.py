"""CloudFront: the forum's only public entry, with the web bucket for its static files.

    /static/*   the web bucket (CSS, JS bundles, icons) through origin access control: each
                file under a name holding its content's hash, kept a year (infra/static_build.py)
    /config.json  the web bucket: the browser's settings, written from the stack's outputs
    /media/*    the media bucket (derived images), when the stack has one
    /api/docs   the HTTP API, with a looser content security policy for Swagger UI
    /api/*      the HTTP API (JSON); writes pass through, public reads may be cached briefly
    /*          the HTTP API's $default route: the site function's pages

Every request first passes AWS WAF: the web ACL of the edge stack (infra/edge.py). Requests to
the HTTP API carry the origin header by which its functions know CloudFront (infra/api.py,
forum.origin).

Pages and public reads carry no identity: no cookie is part of any cache key, and the pages'
key holds one header, the viewer's host name, which a CloudFront Function copies into
X-Forwarded-Host for their canonical and Open Graph addresses (with several domain names, a
page cached under one is never served under another). They are cached only as long as the
origin allows (``s-maxage``; the pages say 10 seconds), and a response that says nothing is not
cached at all. The API's key holds Authorization, the only way a cached behavior passes it to
the origin on a GET (``GET /api/me``): public reads carry none and share one copy; personal
answers say ``private, no-store``. Other viewer headers reach the origin through the origin
request policy; CloudFront never caches a write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as deployment
from constructs import Construct, IConstruct

from . import REPO_ROOT
from .buckets import private_bucket
from .nag import acknowledge
from .static_build import BUILD_DIR, HASHED_GLOB

WEB_DIR = REPO_ROOT / "web"
STATIC_PREFIX = "static/"
CONFIG_KEY = "config.json"
# The query strings a page is keyed on (everything else is ignored by the cache).
PAGE_QUERY_STRINGS = ("page", "cursor", "board", "next")
# The files under their content-hashed names, which pages name: a new content is a new name,
# so browsers and CloudFront keep them a year and never ask again.
HASHED_CACHE = "public, max-age=31536000, immutable"
# web/ as it is, under its plain names (the unbundled modules): no page of this deployment names
# them, but a page cached before the first deployment of hashed names did. A deployment
# invalidates CloudFront's copy.
STATIC_CACHE = "public, max-age=300"
CONFIG_CACHE = "public, max-age=60"
HSTS_SECONDS = 2 * 365 * 24 * 3600

# Swagger UI (Powertools, /api/docs) inlines its script and styles; that page holds no user
# content, so it alone may run inline code.
API_DOCS_PATH = "/api/docs"


def content_security_policy(connect_sources: Sequence[str], *, inline: bool = False) -> str:
    """The pages' policy: nothing inline, nothing from elsewhere but the API calls they make."""
    script = "'self' 'unsafe-inline'" if inline else "'self'"
    directives = [
        "default-src 'self'",
        f"script-src {script}",
        f"style-src {script}",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src " + " ".join(["'self'", *connect_sources]),
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
    return "; ".join(directives)


def _security_headers(
    scope: Construct, construct_id: str, policy: str, comment: str
) -> cloudfront.ResponseHeadersPolicy:
    return cloudfront.ResponseHeadersPolicy(
        scope,
        construct_id,
        comment=comment,
        security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
            content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                content_security_policy=policy, override=True
            ),
            strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                access_control_max_age=Duration.seconds(HSTS_SECONDS),
                include_subdomains=True,
                override=True,
            ),
            content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
            frame_options=cloudfront.ResponseHeadersFrameOptions(
                frame_option=cloudfront.HeadersFrameOption.DENY, override=True
            ),
            referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                override=True,
            ),
        ),
        custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
            custom_headers=[
                cloudfront.ResponseCustomHeader(
                    header="Permissions-Policy",
                    value="camera=(), microphone=(), geolocation=(), payment=()",
                    override=True,
                ),
            ]
        ),
    )


# The viewer's host name, for the pages' canonical and Open Graph addresses: the HTTP API origin
# only ever sees its own host name. Set here, whatever the viewer sent, and part of the pages'
# cache key (CloudFront computes the key after viewer request functions).
FORWARDED_HOST = "X-Forwarded-Host"
FORWARD_HOST = """function handler(event) {
  var request = event.request;
  request.headers['x-forwarded-host'] = { value: request.headers.host.value };
  return request;
}"""


class ForumCdn(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api_origin_domain: str,
        origin_headers: Mapping[str, str],
        browser_config: Mapping[str, Any],
        connect_sources: Sequence[str],
        web_acl_arn: str,
        media_bucket: s3.IBucket | None = None,
        web_dir: Path = WEB_DIR,
        build_dir: Path = BUILD_DIR,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)

        self.web_bucket = private_bucket(
            self,
            "Web",
        )
        acknowledge(
            self.web_bucket,
            {
                "AwsSolutions-S1": (
                    "Holds only the static files each deployment writes; it is read solely by "
                    "CloudFront through origin access control, so server access logs would "
                    "record nothing but CloudFront's own fetches of public files."
                ),
            },
        )

        self.security_headers = _security_headers(
            self,
            "SecurityHeaders",
            content_security_policy(connect_sources),
            "Forum: strict CSP, HSTS, nosniff, no framing, referrer policy",
        )
        self.docs_headers = _security_headers(
            self,
            "ApiDocsHeaders",
            content_security_policy([], inline=True),
            "Forum API docs (Swagger UI inlines its code): as strict otherwise",
        )

        api_origin = origins.HttpOrigin(
            api_origin_domain,
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
            # CloudFront overwrites a header of the same name that a viewer sends.
            custom_headers=dict(origin_headers),
        )
        web_origin = origins.S3BucketOrigin.with_origin_access_control(self.web_bucket)
        forward_all = cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER

        self.page_cache = cloudfront.CachePolicy(
            self,
            "Pages",
            comment="Forum pages: as long as the page allows (seconds); keyed on the host name",
            default_ttl=Duration.seconds(0),
            min_ttl=Duration.seconds(0),
            max_ttl=Duration.minutes(5),
            query_string_behavior=cloudfront.CacheQueryStringBehavior.allow_list(
                *PAGE_QUERY_STRINGS
            ),
            # The host the viewer used, as the function below sets it: the pages' canonical and
            # Open Graph addresses name it.
            header_behavior=cloudfront.CacheHeaderBehavior.allow_list(FORWARDED_HOST),
            cookie_behavior=cloudfront.CacheCookieBehavior.none(),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
        )
        self.api_cache = cloudfront.CachePolicy(
            self,
            "ApiReads",
            comment="Forum API: public reads only as long as the API allows; writes never",
            default_ttl=Duration.seconds(0),
            min_ttl=Duration.seconds(0),
            max_ttl=Duration.minutes(1),
            query_string_behavior=cloudfront.CacheQueryStringBehavior.all(),
            # With caching on, CloudFront passes a GET's Authorization header to the origin
            # only when it is part of the cache key (an origin request policy cannot pass it):
            # without it, GET /api/me would reach the JWT authorizer unsigned. The browser
            # signs only personal requests, which the API answers "private, no-store"; public
            # reads carry no Authorization and still share one cached copy.
            header_behavior=cloudfront.CacheHeaderBehavior.allow_list("Authorization"),
            cookie_behavior=cloudfront.CacheCookieBehavior.none(),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
        )
        forward_host = cloudfront.Function(
            self,
            "ForwardHost",
            comment="Pass the viewer's host to the pages (canonical URLs)",
            code=cloudfront.FunctionCode.from_inline(FORWARD_HOST),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
        )

        def api_behavior(
            headers: cloudfront.IResponseHeadersPolicy,
        ) -> cloudfront.BehaviorOptions:
            return cloudfront.BehaviorOptions(
                origin=api_origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=self.api_cache,
                origin_request_policy=forward_all,
                response_headers_policy=headers,
                compress=True,
            )

        static_behavior = cloudfront.BehaviorOptions(
            origin=web_origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
            cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            response_headers_policy=self.security_headers,
            compress=True,
        )
        behaviors: dict[str, cloudfront.BehaviorOptions] = {
            # Checked in this order: the docs before the rest of /api.
            API_DOCS_PATH: api_behavior(self.docs_headers),
            "/api/*": api_behavior(self.security_headers),
            "/static/*": static_behavior,
            f"/{CONFIG_KEY}": static_behavior,
        }
        if media_bucket is not None:
            behaviors["/media/*"] = cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(media_bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.security_headers,
                compress=True,
            )

        # What the flat-rate pricing plans limit (infra/pricing_plan.py).
        self.cache_behaviors = len(behaviors) + 1
        self.own_policies = [
            "the pages' cache policy (keyed on the viewer's host name)",
            "the API's cache policy (keyed on Authorization, for GET /api/me)",
            "the response headers policies (the Content-Security-Policy)",
        ]
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="The forum: pages, API, static files and images",
            default_behavior=cloudfront.BehaviorOptions(
                origin=api_origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=self.page_cache,
                origin_request_policy=forward_all,
                response_headers_policy=self.security_headers,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=forward_host,
                        event_type=cloudfront.FunctionEventType.VIEWER_REQUEST,
                    )
                ],
                compress=True,
            ),
            additional_behaviors=behaviors,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_ipv6=True,
            # AWS WAF inspects every request before the cache (infra/edge.py).
            web_acl_id=web_acl_arn,
        )
        acknowledge(
            self.distribution,
            {
                "AwsSolutions-CFR1": (
                    "A public forum is read from anywhere; there is no country it must not be "
                    "served in. Add a geo restriction here if that changes."
                ),
                "AwsSolutions-CFR3": (
                    "Every request that reaches an origin is in the HTTP API's JSON access log; "
                    "CloudFront standard logs would add a log bucket with ACLs enabled to record "
                    "cache hits of public pages and static files."
                ),
                "AwsSolutions-CFR4": (
                    "The distribution uses CloudFront's default *.cloudfront.net certificate, "
                    "whose TLS policy CloudFront sets; with a custom domain, give it an ACM "
                    "certificate and the TLSv1.2_2021 minimum."
                ),
            },
        )

        # The static files under /static: the build's hashed names (esbuild.mjs), and web/ under
        # its plain names. Each deployment syncs only its own names (the same glob both ways),
        # so neither prunes the other's. The hashed files are never pruned: a page cached
        # before a deployment (seconds in CloudFront, in a tab for as long as it stays open)
        # names the files of the one before, and each deployment adds some 60 KB.
        self.hashed_assets = deployment.BucketDeployment(
            self,
            "HashedAssets",
            sources=[deployment.Source.asset(str(build_dir))],
            destination_bucket=self.web_bucket,
            destination_key_prefix=STATIC_PREFIX,
            cache_control=[deployment.CacheControl.from_string(HASHED_CACHE)],
            exclude=["*"],
            include=[HASHED_GLOB],
            prune=False,
        )
        self.assets = deployment.BucketDeployment(
            self,
            "Assets",
            sources=[deployment.Source.asset(str(web_dir))],
            destination_bucket=self.web_bucket,
            destination_key_prefix=STATIC_PREFIX,
            cache_control=[deployment.CacheControl.from_string(STATIC_CACHE)],
            exclude=[HASHED_GLOB],
            distribution=self.distribution,
            distribution_paths=[f"/{STATIC_PREFIX}*"],
            prune=True,
        )
        self.browser_config = deployment.BucketDeployment(
            self,
            "BrowserConfig",
            sources=[deployment.Source.json_data(CONFIG_KEY, dict(browser_config))],
            destination_bucket=self.web_bucket,
            cache_control=[deployment.CacheControl.from_string(CONFIG_CACHE)],
            distribution=self.distribution,
            distribution_paths=[f"/{CONFIG_KEY}"],
            # Only config.json: the static files under static/ belong to the other deployment.
            prune=False,
        )
        self._acknowledge_deployment_function(stack)

    def _acknowledge_deployment_function(self, stack: Stack) -> None:
        cfn_bucket = self.web_bucket.node.default_child
        assert isinstance(cfn_bucket, s3.CfnBucket)
        bucket_id = stack.resolve(cfn_bucket.logical_id)
        deploys = "it runs only while the stack deploys"
        findings = {
            "AwsSolutions-L1": (
                "CDK's own BucketDeployment function: CDK chooses and updates its runtime with "
                "the library version."
            ),
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]": (
                f"CDK's BucketDeployment function logs with the AWS managed basic execution "
                f"policy; {deploys}."
            ),
            "AwsSolutions-IAM5[Resource::*]": (
                "CDK's BucketDeployment invalidates the distribution's cache after a deployment; "
                "CloudFront's CreateInvalidation is granted on '*' by CDK."
            ),
            f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/*]": (
                f"CDK's BucketDeployment writes and prunes the static files in the web bucket; "
                f"{deploys}."
            ),
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-"
            "<AWS::AccountId>-<AWS::Region>/*]": (
                f"CDK's BucketDeployment reads the zipped static files from the CDK bootstrap "
                f"assets bucket; {deploys}."
            ),
        }
        for action in ("GetBucket*", "GetObject*", "List*", "Abort*", "DeleteObject*"):
            findings[f"AwsSolutions-IAM5[Action::s3:{action}]"] = (
                f"CDK's BucketDeployment grants itself s3:{action} to copy the static files from "
                f"the assets bucket into the web bucket (CDK's grantRead / grantWrite); {deploys}."
            )
        for handler in _bucket_deployment_handlers(stack):
            acknowledge(handler, findings)

    @property
    def url(self) -> str:
        return f"https://{self.distribution.distribution_domain_name}"


def _bucket_deployment_handlers(stack: Stack) -> list[IConstruct]:
    """CDK's singleton function behind BucketDeployment (one per stack and memory size)."""
    return [
        child
        for child in stack.node.children
        if child.node.id.startswith("Custom::CDKBucketDeployment")
    ]
