"""The HTML pages: the ``site`` function behind the HTTP API's ``$default`` route.

Every request that no ``/api`` route takes (``/``, ``/b/…``, ``/t/…``, ``/u/…``, the forms) goes
to this function, which renders the page with the same domain code as the JSON API. It only
reads the table: everything a page shows is public, and writes go through the API.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from forum import schema
from forum import settings as env

from .api import ARCHITECTURE, METRICS_NAMESPACE, RUNTIME, functions_code, log_group
from .config import ForumConfig
from .nag import acknowledge

# The package is "pages", not "site": Python imports its own ``site`` module at start-up, so a
# package of that name could never be imported in Lambda.
SITE_HANDLER = "pages.handler.lambda_handler"


class ForumSite(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ForumConfig,
        table: dynamodb.Table,
        http_api: apigwv2.HttpApi,
        layer: lambda_.ILayerVersion,
    ) -> None:
        super().__init__(scope, construct_id)
        logs_group = log_group(self, "SiteFunctionLogs", config.log_retention_days)
        role = iam.Role(
            self,
            "SiteFunctionRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="The forum's site function: its log group, X-Ray and reading the table",
        )
        logs_group.grant_write(role)
        self.function = lambda_.Function(
            self,
            "SiteFunction",
            description="The forum's HTML pages (everything but /api and /static)",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=SITE_HANDLER,
            # The same asset and layer as the api function: one build, two handlers.
            code=functions_code(),
            layers=[layer],
            memory_size=512,
            timeout=Duration.seconds(10),
            tracing=lambda_.Tracing.ACTIVE,
            log_group=logs_group,
            role=role,
            environment={
                env.TABLE_ENV: table.table_name,
                env.POSTS_PER_PAGE_ENV: str(config.posts_per_page),
                env.TOPICS_PER_PAGE_ENV: str(config.topics_per_page),
                "POWERTOOLS_SERVICE_NAME": "forum-site",
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                "POWERTOOLS_LOG_LEVEL": "INFO",
            },
        )
        acknowledge(
            self.function,
            {
                "AwsSolutions-L1": (
                    "Python 3.13 on purpose: the dependency layer's wheels and bytecode are "
                    "built for cp313 (layers/build.py); runtime and layer move together."
                ),
            },
        )
        table.grant_read_data(self.function)
        cfn_table = table.node.default_child
        assert isinstance(cfn_table, dynamodb.CfnTable)
        table_logical_id = Stack.of(self).resolve(cfn_table.logical_id)
        indexes = ", ".join(name for name, _, _ in schema.GLOBAL_INDEXES)
        acknowledge(
            role,
            {
                "AwsSolutions-IAM5[Resource::*]": (
                    "X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level "
                    "permissions, so active tracing can only be granted on '*'."
                ),
                f"AwsSolutions-IAM5[Resource::<{table_logical_id}.Arn>/index/*]": (
                    f"Pages read the forum table's global secondary indexes ({indexes}); the "
                    "grant is read-only and covers that table's indexes only."
                ),
            },
        )

        self.route = apigwv2.HttpRoute(
            self,
            "Pages",
            http_api=http_api,
            route_key=apigwv2.HttpRouteKey.DEFAULT,
            integration=integrations.HttpLambdaIntegration("SiteFunction", self.function),
        )
        acknowledge(
            self.route,
            {
                "AwsSolutions-APIG4": (
                    "The forum's pages are public reading, the same for every visitor, as in "
                    "any forum; the site function only reads. Writes go through the /api "
                    "routes, which carry the member JWT authorizer."
                ),
            },
        )
