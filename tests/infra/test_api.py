"""The JSON API: routes from api.routes, the JWT authorizer on writes, the function behind them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import fields
from typing import Any

import pytest

from api.routes import API_CATCH_ALL, ROUTES, SEARCH_ROUTES
from forum import settings as forum_settings

from .conftest import Synthesis, function_by_handler

# The search routes go to the search function (tests/infra/test_search.py).
ALL_ROUTES = (*ROUTES, *SEARCH_ROUTES, API_CATCH_ALL)


def routes_by_key(synth: Synthesis) -> dict[str, dict[str, Any]]:
    routes: dict[str, dict[str, Any]] = {}
    for route in synth.of_type("AWS::ApiGatewayV2::Route").values():
        key = route["Properties"]["RouteKey"]
        if key == "$default":  # the site's pages (tests/infra/test_site.py)
            continue
        assert key not in routes, f"route {key} is defined twice"
        routes[key] = route["Properties"]
    return routes


def api_function(synth: Synthesis) -> tuple[str, dict[str, Any]]:
    return function_by_handler(synth, "api.handler.lambda_handler")


def test_the_http_api_serves_exactly_the_routes_of_the_route_table(synth: Synthesis) -> None:
    assert set(routes_by_key(synth)) == {route.route_key for route in ALL_ROUTES}


def test_every_write_route_needs_a_member_jwt_and_reads_need_none(synth: Synthesis) -> None:
    # Given the one JWT authorizer of the API
    authorizer_id, _ = synth.one("AWS::ApiGatewayV2::Authorizer")
    routes = routes_by_key(synth)

    # Then routes marked auth use it, and public routes have no authorizer at all
    for route in ALL_ROUTES:
        props = routes[route.route_key]
        if route.auth:
            assert props["AuthorizationType"] == "JWT", route.route_key
            assert props["AuthorizerId"] == {"Ref": authorizer_id}, route.route_key
        else:
            assert props.get("AuthorizationType", "NONE") == "NONE", route.route_key
            assert "AuthorizerId" not in props, route.route_key


def test_the_authorizer_trusts_tokens_of_the_forum_pool_for_the_browser_client(
    synth: Synthesis,
) -> None:
    pool_id, _ = synth.one("AWS::Cognito::UserPool")
    client_id, _ = synth.one("AWS::Cognito::UserPoolClient")
    _, authorizer = synth.one("AWS::ApiGatewayV2::Authorizer")
    props = authorizer["Properties"]

    assert props["AuthorizerType"] == "JWT"
    assert props["IdentitySource"] == ["$request.header.Authorization"]
    assert props["JwtConfiguration"]["Audience"] == [{"Ref": client_id}]
    assert props["JwtConfiguration"]["Issuer"] == {
        "Fn::Join": [
            "",
            ["https://cognito-idp.", {"Ref": "AWS::Region"}, ".amazonaws.com/", {"Ref": pool_id}],
        ]
    }


def test_every_route_reaches_the_api_function(synth: Synthesis) -> None:
    function_id, _ = api_function(synth)
    integration_id, integration = next(
        (logical_id, resource)
        for logical_id, resource in synth.of_type("AWS::ApiGatewayV2::Integration").items()
        if resource["Properties"]["IntegrationUri"] == {"Fn::GetAtt": [function_id, "Arn"]}
    )

    assert integration["Properties"]["IntegrationType"] == "AWS_PROXY"
    assert integration["Properties"]["PayloadFormatVersion"] == "2.0"
    assert integration["Properties"]["IntegrationUri"] == {"Fn::GetAtt": [function_id, "Arn"]}
    searching = {route.route_key for route in SEARCH_ROUTES}  # the search function's
    for key, props in routes_by_key(synth).items():
        if key in searching:
            continue
        assert props["Target"] == {"Fn::Join": ["", ["integrations/", {"Ref": integration_id}]]}, (
            key
        )


def test_the_api_function_runs_python_3_13_on_arm64_with_the_layer(synth: Synthesis) -> None:
    _, props = api_function(synth)
    layer_id = props["Layers"][0]["Ref"]
    layer = synth.resources[layer_id]

    assert props["Runtime"] == "python3.13"
    assert props["Architectures"] == ["arm64"]
    assert props["MemorySize"] == 512
    assert props["Timeout"] == 10
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["Layers"] == [{"Ref": layer_id}]
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]


def test_the_api_function_is_configured_from_context(
    synth: Synthesis, context: dict[str, Any]
) -> None:
    table_id, _ = synth.one("AWS::DynamoDB::Table")
    pool_id, _ = synth.one("AWS::Cognito::UserPool")
    client_id, _ = synth.one("AWS::Cognito::UserPoolClient")
    _, props = api_function(synth)
    env = props["Environment"]["Variables"]
    uploads_id = uploads_bucket_id(synth)

    assert env == {
        "FORUM_TABLE": {"Ref": table_id},
        "FORUM_POSTS_PER_PAGE": str(context["forum:postsPerPage"]),
        "FORUM_TOPICS_PER_PAGE": str(context["forum:topicsPerPage"]),
        "FORUM_MAX_REQUEST_BYTES": str(context["forum:maxRequestBytes"]),
        "FORUM_PRESENCE_WINDOW_SECONDS": str(context["forum:presenceWindowSeconds"]),
        # Flood control (functions/forum/flood.py)
        "FORUM_POST_INTERVAL_SECONDS": str(context["forum:postIntervalSeconds"]),
        "FORUM_NEW_MEMBER_POSTS_PER_HOUR": str(context["forum:newMemberPostsPerHour"]),
        "FORUM_UPLOADS_PER_HOUR": str(context["forum:uploadsPerHour"]),
        # Sign-up limits (functions/forum/sign_up_limits.py)
        "FORUM_SIGN_UPS_PER_IP_PER_HOUR": str(context["forum:signUpsPerIpPerHour"]),
        "FORUM_SIGN_UPS_PER_ADDRESS_PER_DAY": str(context["forum:signUpsPerAddressPerDay"]),
        # Password reset limits (functions/forum/reset_limits.py)
        "FORUM_PASSWORD_RESETS_PER_IP_PER_HOUR": str(context["forum:passwordResetsPerIpPerHour"]),
        "FORUM_PASSWORD_RESETS_PER_ACCOUNT_PER_DAY": str(
            context["forum:passwordResetsPerAccountPerDay"]
        ),
        # How long a deleted account's name stays reserved (functions/forum/deletion.py)
        "FORUM_USERNAME_GRACE_DAYS": str(context["forum:usernameGraceDays"]),
        # Sign-up calls Cognito with the browser's client; no endpoint override in AWS.
        "FORUM_USER_POOL_ID": {"Ref": pool_id},
        "FORUM_USER_POOL_CLIENT_ID": {"Ref": client_id},
        # Presigned uploads of originals (infra/images.py)
        "FORUM_UPLOADS_BUCKET": {"Ref": uploads_id},
        "FORUM_MAX_UPLOAD_BYTES": str(context["forum:maxUploadBytes"]),
        # CloudFront's origin header, read from Secrets Manager at deploy time (forum.origin)
        "FORUM_ORIGIN_SECRET": origin_secret_reference(synth),
        # The key of unsubscribe links, the same way (forum.unsubscribe, infra/mail.py)
        "FORUM_MAIL_SECRET": secret_reference(synth, "MailSecret"),
        "POWERTOOLS_SERVICE_NAME": "forum-api",
        "POWERTOOLS_METRICS_NAMESPACE": "Forum",
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }


def uploads_bucket_id(synth: Synthesis) -> str:
    (found,) = (key for key in synth.of_type("AWS::S3::Bucket") if key.startswith("ImagesUploads"))
    return found


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    forum_settings.get_settings.cache_clear()
    yield
    forum_settings.get_settings.cache_clear()


def test_every_forum_variable_the_stack_sets_is_read_by_the_settings(
    synth: Synthesis, monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    # Given each FORUM_* variable of the function set to a value no default has
    _, props = api_function(synth)
    names = [name for name in props["Environment"]["Variables"] if name.startswith("FORUM_")]
    planted = {name: str(7_000_001 + number) for number, name in enumerate(names)}
    for name, value in planted.items():
        monkeypatch.setenv(name, value)

    # When the functions read their settings
    settings = forum_settings.get_settings()

    # Then every planted value arrived, so no variable name is misspelled on either side
    read = {str(getattr(settings, field.name)) for field in fields(settings)}
    assert {name for name, value in planted.items() if value not in read} == set()


def test_the_api_function_may_touch_only_its_log_group_x_ray_the_table_and_pool_groups(
    synth: Synthesis, context: dict[str, Any]
) -> None:
    # Given the api function, its role and the role's one policy
    _, props = api_function(synth)
    role_id = props["Role"]["Fn::GetAtt"][0]
    log_group_id = props["LoggingConfig"]["LogGroup"]["Ref"]
    table_arn = {"Fn::GetAtt": [synth.one("AWS::DynamoDB::Table")[0], "Arn"]}
    (policy,) = (
        resource["Properties"]
        for resource in synth.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in resource["Properties"]["Roles"]
    )
    grants = {
        json.dumps(statement["Resource"], sort_keys=True): (
            {statement["Action"]}
            if isinstance(statement["Action"], str)
            else set(statement["Action"])
        )
        for statement in policy["PolicyDocument"]["Statement"]
    }

    # Then it writes to its own log group (no managed policy) and traces to X-Ray
    assert "ManagedPolicyArns" not in synth.resources[role_id]["Properties"]
    assert grants.pop(json.dumps({"Fn::GetAtt": [log_group_id, "Arn"]})) == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    }
    assert grants.pop(json.dumps("*")) == {"xray:PutTelemetryRecords", "xray:PutTraceSegments"}
    # And reads and writes the forum table and its indexes, nothing else
    table_and_indexes = [table_arn, {"Fn::Join": ["", [table_arn, "/index/*"]]}]
    table_actions = grants.pop(json.dumps(table_and_indexes, sort_keys=True))
    assert {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"} <= (
        table_actions
    )
    # And manages the groups of the member pool's users (moderators, the ban's admin check),
    # and deletes a deleted account's user once it knows it is not the last admin
    pool_arn = {"Fn::GetAtt": [synth.one("AWS::Cognito::UserPool")[0], "Arn"]}
    assert grants.pop(json.dumps(pool_arn, sort_keys=True)) == {
        "cognito-idp:AdminAddUserToGroup",
        "cognito-idp:AdminRemoveUserFromGroup",
        "cognito-idp:AdminListGroupsForUser",
        "cognito-idp:AdminDeleteUser",
        "cognito-idp:ListUsersInGroup",
    }
    # And signs presigned POSTs of originals to the uploads bucket (infra/images.py)
    originals = {
        "Fn::Join": ["", [{"Fn::GetAtt": [uploads_bucket_id(synth), "Arn"]}, "/originals/*"]]
    }
    assert grants.pop(json.dumps(originals, sort_keys=True)) == {"s3:PutObject"}
    assert grants == {}
    assert (
        synth.resources[log_group_id]["Properties"]["RetentionInDays"]
        == (context["forum:logRetentionDays"])
    )


def test_the_stage_throttles_and_logs_every_request_as_json(
    synth: Synthesis, context: dict[str, Any]
) -> None:
    _, stage = synth.one("AWS::ApiGatewayV2::Stage")
    props = stage["Properties"]

    assert props["StageName"] == "$default"
    assert props["AutoDeploy"] is True
    assert props["DefaultRouteSettings"] == {
        "ThrottlingRateLimit": context["forum:apiThrottleRate"],
        "ThrottlingBurstLimit": context["forum:apiThrottleBurst"],
    }
    log_group_id = props["AccessLogSettings"]["DestinationArn"]["Fn::GetAtt"][0]
    assert synth.resources[log_group_id]["Type"] == "AWS::Logs::LogGroup"
    # Read with Logs Insights only: the infrequent access class, half the ingestion price.
    assert synth.resources[log_group_id]["Properties"]["LogGroupClass"] == "INFREQUENT_ACCESS"
    assert (
        synth.resources[log_group_id]["Properties"]["RetentionInDays"]
        == context["forum:logRetentionDays"]
    )
    # The format is a JSON object (with sample values in place of the $context variables).
    log_format = props["AccessLogSettings"]["Format"]
    sample = json.loads(re.sub(r"\$context\.[A-Za-z.]+", "x", log_format))
    for field in ("requestId", "ip", "routeKey", "status", "responseLatency"):
        assert field in sample, field
    assert '"requestId": "$context.requestId"' in log_format


def origin_secret(synth: Synthesis) -> tuple[str, dict[str, Any]]:
    """The origin secret (the stack has the mail's too, infra/mail.py)."""
    (found,) = [
        (logical_id, secret)
        for logical_id, secret in synth.of_type("AWS::SecretsManager::Secret").items()
        if logical_id.startswith("ApiOriginSecret")
    ]
    return found


def secret_reference(synth: Synthesis, prefix: str) -> dict[str, Any]:
    (secret_id,) = [
        key for key in synth.of_type("AWS::SecretsManager::Secret") if key.startswith(prefix)
    ]
    return {
        "Fn::Join": [
            "",
            ["{{resolve:secretsmanager:", {"Ref": secret_id}, ":SecretString:::}}"],
        ]
    }


def origin_secret_reference(synth: Synthesis) -> dict[str, Any]:
    secret_id, secret = origin_secret(synth)
    generated = secret["Properties"]["GenerateSecretString"]
    assert generated["PasswordLength"] >= 32
    return {
        "Fn::Join": [
            "",
            ["{{resolve:secretsmanager:", {"Ref": secret_id}, ":SecretString:::}}"],
        ]
    }


def test_no_output_publishes_the_http_apis_own_address(synth: Synthesis) -> None:
    api_id, _ = synth.one("AWS::ApiGatewayV2::Api")
    outputs = json.dumps(synth.outputs)

    assert "ApiUrl" not in synth.outputs
    assert api_id not in outputs and "execute-api" not in outputs


def test_without_a_custom_domain_the_api_keeps_its_default_endpoint(synth: Synthesis) -> None:
    # CloudFront's origin is that endpoint; the origin header guards it (tests/api/test_origin.py)
    _, api = synth.one("AWS::ApiGatewayV2::Api")
    assert api["Properties"]["DisableExecuteApiEndpoint"] is False
    assert not synth.of_type("AWS::ApiGatewayV2::DomainName")


def test_the_origin_secret_is_generated_at_deploy_time_never_synthesized(
    synth: Synthesis,
) -> None:
    _, secret = origin_secret(synth)
    assert "SecretString" not in secret["Properties"]
    assert secret["Properties"]["GenerateSecretString"]["ExcludePunctuation"] is True


def test_an_origin_domain_needs_its_certificate_and_the_other_way_round() -> None:
    import aws_cdk as cdk

    from infra.api import (
        ORIGIN_CERTIFICATE_CONTEXT,
        ORIGIN_DOMAIN_CONTEXT,
        origin_domain_context,
    )

    assert origin_domain_context(cdk.App()) is None
    for context in (
        {ORIGIN_DOMAIN_CONTEXT: "origin.example.org"},
        {ORIGIN_CERTIFICATE_CONTEXT: "a"},
    ):
        with pytest.raises(ValueError, match="go together"):
            origin_domain_context(cdk.App(context=context))


def test_the_functions_code_ships_with_bytecode_for_the_runtime(synth: Synthesis) -> None:
    from layers.build import find_interpreter

    _, props = api_function(synth)
    # The asset staged for the code in the S3 key: cdk.out/asset.{hash}
    asset = synth.outdir / ("asset." + props["Code"]["S3Key"].removesuffix(".zip"))
    # The sources, without this machine's caches
    assert (asset / "api" / "handler.py").is_file()
    assert not list(asset.rglob("*.cpython-311.pyc"))
    if find_interpreter() is None:
        pytest.skip("no Python 3.13 here: the code ships as source only")
    # and, compiled for the runtime's Python, the bytecode Lambda cannot write itself
    assert (asset / "api" / "__pycache__" / "handler.cpython-313.pyc").is_file()
    assert (asset / "forum" / "__pycache__" / "posts.cpython-313.pyc").is_file()


def test_functions_log_json_and_only_lambdas_own_warnings(synth: Synthesis) -> None:
    """START/END/REPORT lines on every invocation cost more than the request's own log lines;
    the embedded metrics (lines without a level count as INFO) must still reach CloudWatch."""
    functions = {
        logical_id: resource["Properties"]
        for logical_id, resource in synth.of_type("AWS::Lambda::Function").items()
        if str(resource["Properties"].get("Handler", "")).endswith(".lambda_handler")
        and "Layers" in resource["Properties"]
    }
    assert len(functions) >= 4, sorted(functions)
    for logical_id, props in functions.items():
        logging = props["LoggingConfig"]
        assert logging["LogFormat"] == "JSON", logical_id
        assert logging["SystemLogLevel"] == "WARN", logical_id
        assert logging["ApplicationLogLevel"] == "INFO", logical_id
        group = synth.resources[logging["LogGroup"]["Ref"]]["Properties"]
        # embedded metric lines are turned into metrics only in the standard class
        assert group.get("LogGroupClass", "STANDARD") == "STANDARD", logical_id


ORIGIN_NAME = "origin.forum.example.org"
CERTIFICATE_ARN = (
    "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
)


@pytest.fixture(scope="module")
def with_origin_domain(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str | None, Any]:
    """The app synthesized once more, with the context naming the API's own domain."""
    from infra.api import ORIGIN_CERTIFICATE_CONTEXT, ORIGIN_DOMAIN_CONTEXT
    from infra.app import build_app

    from .conftest import StackTemplate

    outdir = tmp_path_factory.mktemp("cdk.out.domain")
    app = build_app(
        outdir, {ORIGIN_DOMAIN_CONTEXT: ORIGIN_NAME, ORIGIN_CERTIFICATE_CONTEXT: CERTIFICATE_ARN}
    )
    error = None
    try:
        app.app.synth()
    except RuntimeError as failure:
        error = str(failure)
    report = json.loads((outdir / "validation-report.json").read_text())
    return StackTemplate.read(app.forum, outdir), error, report


def test_with_a_custom_domain_cloudfront_is_the_apis_only_way_in(
    with_origin_domain: tuple[Any, str | None, Any],
) -> None:
    forum, error, report = with_origin_domain
    # Given the context's domain and certificate: the synthesis passes cdk-nag as it is
    assert error is None, error
    assert [v for r in report.get("pluginReports", []) for v in r.get("violations", [])] == []

    # Then the API's default execute-api endpoint is off
    api_id, api = forum.one("AWS::ApiGatewayV2::Api")
    assert api["Properties"]["DisableExecuteApiEndpoint"] is True
    # and the API answers at the custom domain, with the certificate, TLS 1.2 at least
    domain_id, domain = forum.one("AWS::ApiGatewayV2::DomainName")
    assert domain["Properties"]["DomainName"] == ORIGIN_NAME
    (configuration,) = domain["Properties"]["DomainNameConfigurations"]
    assert configuration["CertificateArn"] == CERTIFICATE_ARN
    assert configuration["EndpointType"] == "REGIONAL"
    assert configuration["SecurityPolicy"] == "TLS_1_2"
    stage_id, _ = forum.one("AWS::ApiGatewayV2::Stage")
    _, mapping = forum.one("AWS::ApiGatewayV2::ApiMapping")
    assert mapping["Properties"]["ApiId"] == {"Ref": api_id}
    assert mapping["Properties"]["DomainName"] == {"Ref": domain_id}
    assert mapping["Properties"]["Stage"] == {"Ref": stage_id} or (
        mapping["Properties"]["Stage"] == "$default"
    )
    # and CloudFront's origin for the API is that domain, with the origin header
    _, distribution = forum.one("AWS::CloudFront::Distribution")
    (api_origin,) = (
        origin
        for origin in distribution["Properties"]["DistributionConfig"]["Origins"]
        if "CustomOriginConfig" in origin
    )
    assert api_origin["DomainName"] == {"Ref": domain_id}
    assert [header["HeaderName"] for header in api_origin["OriginCustomHeaders"]] == [
        "x-forum-origin"
    ]
    # and the one output about it is where the name's DNS record must point
    target = forum.outputs["ApiOriginDnsTarget"]
    assert target["Value"] == {"Fn::GetAtt": [domain_id, "RegionalDomainName"]}
    assert ORIGIN_NAME in target["Description"]
    assert "ApiUrl" not in forum.outputs


def test_with_a_custom_domain_cfn_lint_finds_no_errors(
    with_origin_domain: tuple[Any, str | None, Any],
) -> None:
    from .test_checks import LINT_REGIONS, lint_errors

    forum, _, _ = with_origin_domain
    assert lint_errors(forum.template_path, LINT_REGIONS) == []
