"""The JSON API: the dependency layer, the ``api`` function and the HTTP API in front of it.

CloudFront is the HTTP API's only caller that AWS WAF has seen, so the API answers nobody else:

- CloudFront adds a header with a secret to every request it sends the API
  (``forum.origin.ORIGIN_HEADER``). The secret is generated when the stack is first deployed
  (Secrets Manager), never written into the template, and reaches the functions behind the
  API as an environment variable, so checking it costs no request; both handlers refuse a
  request without it (403) before anything is routed or read.
- With ``forum:apiOriginDomain`` and ``forum:apiOriginCertificateArn`` in the context (a name
  of yours and an ACM certificate for it in the stack's region), the API gets that custom
  domain, CloudFront's origin is that name, and the default ``execute-api`` endpoint is
  disabled: the API then has no address AWS made up at all. Make the name's DNS record a CNAME
  of the stack's ``ApiOriginDnsTarget`` output. Without them, CloudFront's origin is the
  ``execute-api`` address, which the stack does not publish.

Neither keeps a direct caller from reaching the stage's throttling (an HTTP API has no resource
policy and takes no web ACL): a request without the header is refused at once, but it still
counts against the stage's rate. Keep the address to yourself (a wildcard certificate keeps the
custom name out of certificate transparency logs).
"""

from __future__ import annotations

import json

import jsii
from aws_cdk import Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from api.routes import API_CATCH_ALL, ROUTES, Route
from forum import settings as env

from . import LAYER_BUILD_DIR
from .config import ForumConfig
from .functions import (
    ARCHITECTURE,
    RUNTIME,
    acknowledge_tracing_and_indexes,
    forum_function,
    log_group,
)
from .nag import acknowledge

API_HANDLER = "api.handler.lambda_handler"
COGNITO_ACTIONS = (
    "cognito-idp:AdminAddUserToGroup",
    "cognito-idp:AdminRemoveUserFromGroup",
    "cognito-idp:AdminListGroupsForUser",
    # An account's deletion (functions/forum/deletion.py) deletes its Cognito user, and asks
    # whether another admin exists before an admin's (the last admin is never deleted).
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:ListUsersInGroup",
)

# Never shipped with the functions: caches of the developer's own interpreter and tools.
# One JSON object per request in the access log; every value a string so that a missing one
# ("-") never breaks the JSON.
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "routeKey": "$context.routeKey",
    "path": "$context.path",
    "protocol": "$context.protocol",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "integrationStatus": "$context.integrationStatus",
    "integrationError": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error",
    "errorMessage": "$context.error.message",
    "userAgent": "$context.identity.userAgent",
    "user": "$context.authorizer.claims.sub",
}


PUBLIC_READ_REASON = (
    "Public read: boards, topics, posts and the API's documentation are readable without "
    "signing in, as in any forum; every write route carries the member JWT authorizer."
)
# Public routes that are not plain reads each need their own reason (cdk-nag APIG4).
PUBLIC_ROUTE_REASONS = {
    API_CATCH_ALL.route_key: (
        "Catch-all for unknown /api paths: the function only answers 404 problem+json, so the "
        "API reports its errors in one format; no data is read or written."
    ),
    "POST /api/accounts": (
        "Sign-up: a visitor without an account creates one. The function checks the username, "
        "counts sign-ups per IP address and per email address (429 beyond the limits) and "
        "passes the rest to Cognito's public SignUp call, which the pool's pre sign-up trigger "
        "lets through only from here; the stage's throttling bounds abuse."
    ),
    "POST /api/password-resets": (
        "Forgot password: a visitor who cannot sign in asks for a reset code. The function "
        "counts requests per IP address and per name (429 beyond the limits), answers the same "
        "for every name, and passes the name to Cognito's public ForgotPassword call, whose "
        "mail the custom message trigger counts per account; the stage's throttling bounds "
        "abuse."
    ),
    "POST /api/preview": (
        "The composer's preview: Markdown in, the sanitized HTML a post would show out. It "
        "reads and writes nothing, is size-limited like a post, and is bounded by the stage's "
        "throttling; guests may preview too."
    ),
    "POST /api/topics/{topic_id}/heartbeat": (
        "Guests' presence heartbeat: a guest viewing a topic is counted without an account "
        "(SMF's 'M Guests'); it only records an anonymous presence, at most one guest and one "
        "view per address, topic and window (forum.presence). Members use the authorized "
        "/heartbeat/member route."
    ),
    "POST /api/unsubscribe": (
        "One-click unsubscribe (RFC 8058): a mail client posts the link of a mail the forum "
        "sent, without the member signed in. The link carries an HMAC of the member and the "
        "kind of mail under a secret of the stack (forum.unsubscribe); it only turns that "
        "mail off, works once, and anything else is 400."
    ),
}


# Context naming the API's own custom domain, CloudFront's origin (see the module's docstring).
ORIGIN_DOMAIN_CONTEXT = "forum:apiOriginDomain"
ORIGIN_CERTIFICATE_CONTEXT = "forum:apiOriginCertificateArn"
ORIGIN_SECRET_LENGTH = 48


class LayerNotBuiltError(RuntimeError):
    pass


def origin_domain_context(scope: Construct) -> tuple[str, str] | None:
    """The API's custom domain and its certificate's ARN, when the context names both."""
    domain = scope.node.try_get_context(ORIGIN_DOMAIN_CONTEXT) or None
    certificate = scope.node.try_get_context(ORIGIN_CERTIFICATE_CONTEXT) or None
    if domain is None and certificate is None:
        return None
    if domain is None or certificate is None:
        raise ValueError(
            f"context {ORIGIN_DOMAIN_CONTEXT} and {ORIGIN_CERTIFICATE_CONTEXT} go together: "
            "the API's custom domain needs a certificate, and a certificate a domain"
        )
    return str(domain), str(certificate)


def dependency_layer_code() -> lambda_.Code:
    """The built layer directory, or a clear error when nobody has built it yet."""
    if not (LAYER_BUILD_DIR / "python").is_dir():
        raise LayerNotBuiltError(
            f"The Lambda dependency layer is not built ({LAYER_BUILD_DIR / 'python'} is "
            "missing). Run `make layer` (or `.venv/bin/python layers/build.py`) first."
        )
    return lambda_.Code.from_asset(str(LAYER_BUILD_DIR), exclude=[".stamp"])


@jsii.implements(apigwv2.IAccessLogSettings)
class JsonAccessLog:
    """Access logging of an HTTP API stage to a log group, one JSON object per request."""

    def __init__(self, group: logs.ILogGroup) -> None:
        self._destination = apigwv2.LogGroupLogDestination(group)
        self._format = apigateway.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FIELDS))

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigateway.AccessLogFormat:
        return self._format


class ForumApi(Construct):
    """``/api/*``: every route of ``api.routes`` on one function; writes need a member's JWT."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ForumConfig,
        table: dynamodb.Table,
        user_pool: cognito.IUserPool,
        user_pool_client: cognito.IUserPoolClient,
    ) -> None:
        super().__init__(scope, construct_id)

        self.layer = lambda_.LayerVersion(
            self,
            "Dependencies",
            code=dependency_layer_code(),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="Forum function dependencies (layers/requirements.txt), arm64 cp313",
        )

        # What CloudFront sends in the origin header: read at deploy time, never synthesized.
        self.origin_secret = secretsmanager.Secret(
            self,
            "OriginSecret",
            description="The forum: the header value by which the API knows CloudFront",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                exclude_punctuation=True, password_length=ORIGIN_SECRET_LENGTH
            ),
        )
        acknowledge(
            self.origin_secret,
            {
                "AwsSolutions-SMG4": (
                    "Not a credential of any AWS service: a value CloudFront adds to its "
                    "requests and the functions compare, both given it by this stack. A "
                    "rotation would have to update the distribution and the functions at "
                    "once; a new value is a new secret resource and a deployment."
                ),
            },
        )

        self.function = self._api_function(config, table, user_pool, user_pool_client)
        self.require_origin_header(self.function)

        custom_domain = origin_domain_context(self)
        self.http_api = apigwv2.HttpApi(
            self,
            "HttpApi",
            api_name=f"{Stack.of(self).stack_name}-http",
            description="The forum: JSON API under /api",
            create_default_stage=False,
            # With a custom domain CloudFront has no use for AWS's own address.
            disable_execute_api_endpoint=custom_domain is not None,
        )
        region = Stack.of(self).region
        self.authorizer = authorizers.HttpJwtAuthorizer(
            "MemberJwt",
            f"https://cognito-idp.{region}.amazonaws.com/{user_pool.user_pool_id}",
            jwt_audience=[user_pool_client.user_pool_client_id],
        )
        integration = integrations.HttpLambdaIntegration("ApiFunction", self.function)
        self.routes: dict[str, apigwv2.HttpRoute] = {}
        for route in (*ROUTES, API_CATCH_ALL):
            self.routes[route.route_key] = self._add_route(route, integration)

        self.domain: apigwv2.DomainName | None = None
        # The custom domain's name as the context gives it (a literal, not a token).
        self.domain_name: str | None = None
        if custom_domain is not None:
            name, certificate_arn = custom_domain
            self.domain_name = name
            self.domain = apigwv2.DomainName(
                self,
                "OriginDomain",
                domain_name=name,
                certificate=acm.Certificate.from_certificate_arn(
                    self, "OriginCertificate", certificate_arn
                ),
                security_policy=apigwv2.SecurityPolicy.TLS_1_2,
            )

        # Read with Logs Insights, never turned into metrics or streamed: the infrequent
        # access class halves what each request's line costs.
        self.access_logs = log_group(
            self,
            "AccessLogs",
            config.log_retention_days,
            logs.LogGroupClass.INFREQUENT_ACCESS,
        )
        self.stage = self.http_api.add_stage(
            "DefaultStage",
            stage_name="$default",
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(
                rate_limit=config.api_throttle_rate,
                burst_limit=config.api_throttle_burst,
            ),
            access_log_settings=JsonAccessLog(self.access_logs),
        )
        if self.domain is not None:
            apigwv2.ApiMapping(
                self, "OriginMapping", api=self.http_api, domain_name=self.domain, stage=self.stage
            )

    @property
    def origin_domain(self) -> str:
        """The host name CloudFront sends the API's requests to."""
        if self.domain is not None:
            return self.domain.name
        stack = Stack.of(self)
        return f"{self.http_api.api_id}.execute-api.{stack.region}.{stack.url_suffix}"

    @property
    def origin_header_value(self) -> str:
        """The secret as a deploy-time reference: CloudFormation reads it from Secrets Manager
        when it deploys, so neither the template nor the assembly ever holds it."""
        return self.origin_secret.secret_value.unsafe_unwrap()

    def require_origin_header(self, function: lambda_.Function) -> None:
        """Give a function behind the HTTP API the secret that CloudFront's requests carry."""
        function.add_environment(env.ORIGIN_SECRET_ENV, self.origin_header_value)

    def _api_function(
        self,
        config: ForumConfig,
        table: dynamodb.Table,
        user_pool: cognito.IUserPool,
        user_pool_client: cognito.IUserPoolClient,
    ) -> lambda_.Function:
        function, role = forum_function(
            self,
            "Api",
            description="The forum's JSON API (/api/*)",
            role_description=(
                "The forum's api function: its log group, X-Ray, the forum table and the "
                "member pool's groups"
            ),
            handler=API_HANDLER,
            service="forum-api",
            layer=self.layer,
            config=config,
            environment={
                # Read by forum.settings.get_settings().
                env.TABLE_ENV: table.table_name,
                env.POSTS_PER_PAGE_ENV: str(config.posts_per_page),
                env.TOPICS_PER_PAGE_ENV: str(config.topics_per_page),
                env.MAX_REQUEST_BYTES_ENV: str(config.max_request_bytes),
                env.PRESENCE_WINDOW_SECONDS_ENV: str(config.presence_window_seconds),
                env.POST_INTERVAL_SECONDS_ENV: str(config.post_interval_seconds),
                env.NEW_MEMBER_POSTS_PER_HOUR_ENV: str(config.new_member_posts_per_hour),
                env.UPLOADS_PER_HOUR_ENV: str(config.uploads_per_hour),
                env.SIGN_UPS_PER_IP_PER_HOUR_ENV: str(config.sign_ups_per_ip_per_hour),
                env.SIGN_UPS_PER_ADDRESS_PER_DAY_ENV: str(config.sign_ups_per_address_per_day),
                env.PASSWORD_RESETS_PER_IP_PER_HOUR_ENV: str(
                    config.password_resets_per_ip_per_hour
                ),
                env.PASSWORD_RESETS_PER_ACCOUNT_PER_DAY_ENV: str(
                    config.password_resets_per_account_per_day
                ),
                env.USERNAME_GRACE_DAYS_ENV: str(config.username_grace_days),
                env.USER_POOL_ID_ENV: user_pool.user_pool_id,
                env.USER_POOL_CLIENT_ID_ENV: user_pool_client.user_pool_client_id,
            },
        )
        table.grant_read_write_data(function)
        # Admins grant and revoke the moderator role, a ban checks that its target is no
        # admin, and a deletion deletes the member's user; these act on this pool only.
        # Sign-up (SignUp) and a password reset (ForgotPassword) are public Cognito calls,
        # which IAM does not guard.
        user_pool.grant(function, *COGNITO_ACTIONS)
        acknowledge_tracing_and_indexes(
            role,
            table,
            "The function queries the forum table's global secondary indexes ({indexes}); "
            "the grant covers that table's indexes only.",
        )
        return function

    def _add_route(
        self, route: Route, integration: apigwv2.HttpRouteIntegration
    ) -> apigwv2.HttpRoute:
        (http_route,) = self.http_api.add_routes(
            path=route.path,
            methods=[apigwv2.HttpMethod(route.method)],
            integration=integration,
            authorizer=self.authorizer if route.auth else None,
        )
        if not route.auth:
            reason = PUBLIC_ROUTE_REASONS.get(route.route_key)
            if reason is None and route.method == "GET":
                reason = PUBLIC_READ_REASON
            # A public route that changes something and has no reason here stays a cdk-nag error.
            if reason is not None:
                acknowledge(http_route, {"AwsSolutions-APIG4": reason})
        return http_route
