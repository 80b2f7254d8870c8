"""Full-text search: the index bucket, the one indexer, and the search function with its routes.

    table ─ stream ─► the one reader of the stream (the change feed) ─► the indexer's queue
        (post and topic changes; forum.search.indexing.KINDS) ─► indexer function
        (reserved concurrency 1, a lease item in the table) ─► index bucket: index/manifest.json
        and index/files/* (immutable)
    GET /api/search, GET /search ─► search function ─► its /tmp copy of the index, brought up
        to date from the bucket (a conditional GET of the manifest per call)

Nothing runs while nobody searches or writes: the bucket's few objects are the idle cost. The
queue and its dead-letter queue are the change feed's (``subscribe``), made where the stream's
one reader is; this construct exposes the indexer and what it needs of the feed.
"""

from __future__ import annotations

from aws_cdk import Duration, Size, Stack
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from api.routes import SEARCH_ROUTES
from forum import schema
from forum import settings as env
from forum.search import FILES_PREFIX, INDEXER_TIMEOUT_SECONDS, MANIFEST_KEY

from . import REPO_ROOT
from .api import LayerNotBuiltError
from .buckets import private_bucket
from .config import ForumConfig
from .functions import ARCHITECTURE, RUNTIME, TRACING_REASON, forum_function
from .nag import acknowledge
from .static_build import manifest_text

SEARCH_LAYER_DIR = REPO_ROOT / "layers" / "dist-search"
SEARCH_HANDLER = "search.handler.lambda_handler"
INDEXER_HANDLER = "indexer.handler.lambda_handler"
INDEX_PREFIX = "index/"
# The index is memory-mapped from /tmp: the page cache holds the hot part of it. At 200,000
# posts it is about 100 MB (bench/search.py), so 1 GB leaves room for several times that.
SEARCH_MEMORY_MB = 1024
INDEXER_MEMORY_MB = 1024
# /tmp holds the index (and, while a new generation is fetched, a second copy's new files).
EPHEMERAL_STORAGE = Size.mebibytes(4096)
# What the change feed needs to send the indexer (forum.changes.Change.kind / event).
INDEXER_KINDS = ("post", "topic")
INDEXER_EVENTS = ("INSERT", "MODIFY", "REMOVE")
# Its queue's receives before the dead-letter queue: with reserved concurrency 1, SQS counts a
# delivery Lambda throttled as a receive, so five would send good changes there.
INDEXER_MAX_RECEIVES = 10
# Per-route throttling on top of the stage's and AWS WAF's per-address limit: searching costs
# more than reading a page, so it may take a smaller share of the stage.
SEARCH_THROTTLE_RATE = 50
SEARCH_THROTTLE_BURST = 100

PUBLIC_SEARCH_REASON = (
    "Public read: searching posts is open to guests and members alike, as in any forum; the "
    "search function reads only the index, which holds only what any reader may see."
)


def search_layer_code() -> lambda_.Code:
    if not (SEARCH_LAYER_DIR / "python").is_dir():
        raise LayerNotBuiltError(
            f"The search layer is not built ({SEARCH_LAYER_DIR / 'python'} is missing). Run "
            "`make layer` (or `.venv/bin/python layers/build.py`) first."
        )
    return lambda_.Code.from_asset(str(SEARCH_LAYER_DIR), exclude=[".stamp"])


class ForumSearch(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ForumConfig,
        table: dynamodb.Table,
        http_api: apigwv2.HttpApi,
        stage: apigwv2.HttpStage,
        layer: lambda_.ILayerVersion,
    ) -> None:
        super().__init__(scope, construct_id)

        self.index_bucket = private_bucket(
            self,
            "Index",
            lifecycle_rules=[
                s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(1))
            ],
        )
        acknowledge(
            self.index_bucket,
            {
                "AwsSolutions-S1": (
                    "Only the indexer writes here and only the search functions read; the "
                    "index is derived from the table and can be rebuilt from it (make "
                    "reindex). Server access logs would add a log bucket that tells nothing "
                    "the functions' own logs do not."
                ),
            },
        )
        self.search_layer = lambda_.LayerVersion(
            self,
            "SearchDependencies",
            code=search_layer_code(),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="Tantivy for the search functions (layers/search-requirements.txt)",
        )
        self.indexer = self._indexer(config, table, layer)
        self.function = self._search_function(config, layer)

        integration = integrations.HttpLambdaIntegration("SearchFunction", self.function)
        self.routes: dict[str, apigwv2.HttpRoute] = {}
        for route in SEARCH_ROUTES:
            (http_route,) = http_api.add_routes(
                path=route.path, methods=[apigwv2.HttpMethod(route.method)], integration=integration
            )
            acknowledge(http_route, {"AwsSolutions-APIG4": PUBLIC_SEARCH_REASON})
            self.routes[route.route_key] = http_route
        cfn_stage = stage.node.default_child
        assert isinstance(cfn_stage, apigwv2.CfnStage)
        cfn_stage.route_settings = {
            route.route_key: {
                "ThrottlingRateLimit": SEARCH_THROTTLE_RATE,
                "ThrottlingBurstLimit": SEARCH_THROTTLE_BURST,
            }
            for route in SEARCH_ROUTES
        }

    def _indexer(
        self, config: ForumConfig, table: dynamodb.Table, layer: lambda_.ILayerVersion
    ) -> lambda_.Function:
        function, role = forum_function(
            self,
            "Indexer",
            description="The search index's one writer: post and topic changes into the index",
            role_description=(
                "The forum's search indexer: its log group, X-Ray, reading posts and topics, "
                "its lease item, and the index bucket"
            ),
            handler=INDEXER_HANDLER,
            service="forum-indexer",
            layer=layer,
            extra_layers=(self.search_layer,),
            config=config,
            memory_size=INDEXER_MEMORY_MB,
            timeout=Duration.seconds(INDEXER_TIMEOUT_SECONDS),
            ephemeral_storage_size=EPHEMERAL_STORAGE,
            # One copy at most, ever: Tantivy's index has one writer (and the lease in the
            # table makes sure of it even if this were changed).
            reserved_concurrent_executions=1,
            environment={
                env.TABLE_ENV: table.table_name,
                env.SEARCH_BUCKET_ENV: self.index_bucket.bucket_name,
            },
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:Query"], resources=[table.table_arn]
            )
        )
        # The lease: one item, written and deleted on conditions, nothing else in the table.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["dynamodb:PutItem", "dynamodb:DeleteItem"],
                resources=[table.table_arn],
                conditions={
                    "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [schema.SEARCH_LEASE_PK]}
                },
            )
        )
        self._grant_index(role, write=True)
        return function

    def _search_function(
        self, config: ForumConfig, layer: lambda_.ILayerVersion
    ) -> lambda_.Function:
        function, role = forum_function(
            self,
            "Search",
            description="Search: GET /api/search and the /search page, from the index in S3",
            role_description="The forum's search function: its log group, X-Ray, reading the index",
            handler=SEARCH_HANDLER,
            service="forum-search",
            layer=layer,
            extra_layers=(self.search_layer,),
            config=config,
            memory_size=SEARCH_MEMORY_MB,
            timeout=Duration.seconds(15),
            ephemeral_storage_size=EPHEMERAL_STORAGE,
            # The search page names the static build's hashed files (pages.static).
            environment={
                env.SEARCH_BUCKET_ENV: self.index_bucket.bucket_name,
                env.STATIC_FILES_ENV: manifest_text(),
            },
        )
        self._grant_index(role, write=False)
        return function

    def _grant_index(self, role: iam.Role, *, write: bool) -> None:
        bucket = self.index_bucket
        actions = ["s3:GetObject"] + (["s3:PutObject", "s3:DeleteObject"] if write else [])
        role.add_to_policy(
            iam.PolicyStatement(
                actions=actions, resources=[bucket.arn_for_objects(f"{INDEX_PREFIX}*")]
            )
        )
        # Listing lets S3 answer "no such key" for a manifest not yet written, not "denied".
        role.add_to_policy(
            iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn])
        )
        cfn_bucket = bucket.node.default_child
        assert isinstance(cfn_bucket, s3.CfnBucket)
        bucket_id = Stack.of(self).resolve(cfn_bucket.logical_id)
        acknowledge(
            role,
            {
                "AwsSolutions-IAM5[Resource::*]": TRACING_REASON,
                f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/{INDEX_PREFIX}*]": (
                    f"The index is {MANIFEST_KEY} and immutable files under {FILES_PREFIX}, "
                    "named by Tantivy's segment ids, known only once written"
                    + ("; the indexer writes and retires them." if write else "; read only.")
                ),
            },
        )
