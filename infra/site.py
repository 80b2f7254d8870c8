"""The HTML pages: the ``site`` function behind the HTTP API's ``$default`` route.

Every request that no ``/api`` route takes (``/``, ``/b/…``, ``/t/…``, ``/u/…``, the forms) goes
to this function, which renders the page with the same domain code as the JSON API. It only
reads the table: everything a page shows is public, and writes go through the API.
"""

from __future__ import annotations

from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from forum import settings as env

from .config import ForumConfig
from .functions import acknowledge_tracing_and_indexes, forum_function
from .nag import acknowledge
from .static_build import manifest_text

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
        self.function, role = forum_function(
            self,
            "Site",
            description="The forum's HTML pages (everything but /api and /static)",
            role_description=(
                "The forum's site function: its log group, X-Ray and reading the table"
            ),
            handler=SITE_HANDLER,
            service="forum-site",
            layer=layer,
            config=config,
            environment={
                env.TABLE_ENV: table.table_name,
                env.POSTS_PER_PAGE_ENV: str(config.posts_per_page),
                env.TOPICS_PER_PAGE_ENV: str(config.topics_per_page),
                # The hashed names of the static files (build/static.json, some 600 bytes of
                # JSON): read once at the cold start, and a new build is a new configuration.
                env.STATIC_FILES_ENV: manifest_text(),
            },
        )
        table.grant_read_data(self.function)
        acknowledge_tracing_and_indexes(
            role,
            table,
            "Pages read the forum table's global secondary indexes ({indexes}); the "
            "grant is read-only and covers that table's indexes only.",
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
