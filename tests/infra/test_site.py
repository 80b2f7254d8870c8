"""The pages and their CDN: the site function on $default, CloudFront in front of everything."""

from __future__ import annotations

import json
from typing import Any

from api.routes import ROUTES

from .conftest import Synthesis, function_by_handler

SITE_HANDLER = "pages.handler.lambda_handler"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


def distribution(synth: Synthesis) -> dict[str, Any]:
    _, resource = synth.one("AWS::CloudFront::Distribution")
    return dict(resource["Properties"]["DistributionConfig"])


def behaviors(synth: Synthesis) -> dict[str, dict[str, Any]]:
    config = distribution(synth)
    found = {behavior["PathPattern"]: behavior for behavior in config["CacheBehaviors"]}
    found["*"] = config["DefaultCacheBehavior"]
    return found


def origin_of(synth: Synthesis, behavior: dict[str, Any]) -> dict[str, Any]:
    origins = {origin["Id"]: origin for origin in distribution(synth)["Origins"]}
    return dict(origins[behavior["TargetOriginId"]])


def test_the_site_function_shares_the_api_functions_code_and_layer(synth: Synthesis) -> None:
    _, site = function_by_handler(synth, SITE_HANDLER)
    _, api = function_by_handler(synth, "api.handler.lambda_handler")
    assert site["Code"] == api["Code"]
    assert site["Layers"] == api["Layers"]
    assert site["Runtime"] == "python3.13" and site["Architectures"] == ["arm64"]
    env = site["Environment"]["Variables"]
    assert env["FORUM_TABLE"] == api["Environment"]["Variables"]["FORUM_TABLE"]
    assert env["POWERTOOLS_SERVICE_NAME"] == "forum-site"


def test_the_site_function_only_reads_the_table(synth: Synthesis) -> None:
    _, site = function_by_handler(synth, SITE_HANDLER)
    role_id = site["Role"]["Fn::GetAtt"][0]
    actions: set[str] = set()
    for policy in synth.of_type("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                found = statement["Action"]
                actions.update([found] if isinstance(found, str) else found)
    dynamodb = {action for action in actions if action.startswith("dynamodb:")}
    assert dynamodb, actions
    writes = ("Put", "Update", "Delete", "BatchWrite", "Transact")
    assert not [action for action in dynamodb if any(word in action for word in writes)]


def test_every_page_goes_to_the_site_function_without_an_authorizer(synth: Synthesis) -> None:
    site_id, _ = function_by_handler(synth, SITE_HANDLER)
    routes = {
        route["Properties"]["RouteKey"]: route["Properties"]
        for route in synth.of_type("AWS::ApiGatewayV2::Route").values()
    }
    default = routes["$default"]
    assert default.get("AuthorizationType", "NONE") == "NONE"
    integration_id = default["Target"]["Fn::Join"][1][1]["Ref"]
    integration = synth.resources[integration_id]["Properties"]
    assert integration["IntegrationUri"] == {"Fn::GetAtt": [site_id, "Arn"]}
    assert integration["PayloadFormatVersion"] == "2.0"


def test_cloudfront_sends_each_path_to_its_origin(synth: Synthesis) -> None:
    found = behaviors(synth)
    media = ["/media/*"] if "/media/*" in found else []  # with the images' media bucket
    assert list(found) == ["/api/docs", "/api/*", "/static/*", "/config.json", *media, "*"]
    for pattern in media:
        images = origin_of(synth, found[pattern])
        assert "S3OriginConfig" in images and images.get("OriginAccessControlId")
        assert found[pattern]["AllowedMethods"] == ["GET", "HEAD"]
    api_origin = origin_of(synth, found["/api/*"])
    assert api_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert api_origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]
    assert origin_of(synth, found["*"]) == api_origin
    # Static files from the private web bucket, through origin access control only
    static = origin_of(synth, found["/static/*"])
    assert "S3OriginConfig" in static and static.get("OriginAccessControlId")
    assert origin_of(synth, found["/config.json"]) == static
    for behavior in found.values():
        assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
        assert behavior["Compress"] is True


def test_pages_and_public_reads_are_cached_without_identity_and_writes_pass(
    synth: Synthesis,
) -> None:
    found = behaviors(synth)
    policies = synth.of_type("AWS::CloudFront::CachePolicy")
    for pattern in ("*", "/api/*"):
        behavior = found[pattern]
        config = policies[behavior["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
        key = config["ParametersInCacheKeyAndForwardedToOrigin"]
        # No cookie is part of the cache key, and no header but the API's Authorization ...
        assert key["CookiesConfig"] == {"CookieBehavior": "none"}, pattern
        # ... nothing is cached unless the origin says how long (pages: seconds) ...
        assert config["DefaultTTL"] == 0 and config["MinTTL"] == 0, pattern
        assert config["MaxTTL"] <= 300, pattern
        # ... and the viewer's headers, Authorization among them, still reach the origin.
        assert behavior["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER, pattern
    # Pages are the same for everyone: the only header in their key is the host name the
    # viewer used (set by CloudFront's function, below), which their canonical URLs name.
    pages_key = policies[found["*"]["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
    pages_headers = pages_key["ParametersInCacheKeyAndForwardedToOrigin"]["HeadersConfig"]
    assert pages_headers == {"HeaderBehavior": "whitelist", "Headers": ["X-Forwarded-Host"]}
    # A GET's Authorization reaches the origin only from the cache key when caching is on (an
    # origin request policy may not pass it): the API's key holds it, or GET /api/me, which the
    # JWT authorizer guards, would arrive unsigned. Public reads carry none and share a copy.
    api_key = policies[found["/api/*"]["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
    api_headers = api_key["ParametersInCacheKeyAndForwardedToOrigin"]["HeadersConfig"]
    assert api_headers == {"HeaderBehavior": "whitelist", "Headers": ["Authorization"]}
    signed_gets = [route for route in ROUTES if route.method == "GET" and route.auth]
    assert signed_gets, "a signed GET route is what this protects"
    assert found["*"]["AllowedMethods"] == ["GET", "HEAD"]
    assert set(found["/api/*"]["AllowedMethods"]) >= {"POST", "PATCH", "DELETE", "PUT"}
    pages = policies[found["*"]["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
    query = pages["ParametersInCacheKeyAndForwardedToOrigin"]["QueryStringsConfig"]
    assert set(query["QueryStrings"]) == {"page", "cursor", "board", "next"}
    assert found["/static/*"]["CachePolicyId"] == CACHING_OPTIMIZED


def test_the_pages_learn_the_viewers_host_name(synth: Synthesis) -> None:
    (association,) = behaviors(synth)["*"]["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    function_id = association["FunctionARN"]["Fn::GetAtt"][0]
    code = synth.resources[function_id]["Properties"]["FunctionCode"]
    # Whatever the viewer sent as X-Forwarded-Host is replaced by its Host
    assert "request.headers['x-forwarded-host'] = { value: request.headers.host.value }" in code


def test_a_page_cached_under_one_host_name_is_not_served_under_another(synth: Synthesis) -> None:
    # Given the pages' cache key and the function that sets the header before the key is made
    found = behaviors(synth)
    policies = synth.of_type("AWS::CloudFront::CachePolicy")
    key = policies[found["*"]["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
    headers = key["ParametersInCacheKeyAndForwardedToOrigin"]["HeadersConfig"]["Headers"]
    function_id = found["*"]["FunctionAssociations"][0]["FunctionARN"]["Fn::GetAtt"][0]
    code = synth.resources[function_id]["Properties"]["FunctionCode"]
    # Then the header the pages build their canonical and Open Graph URLs from is in the key
    assert [name.lower() for name in headers] == ["x-forwarded-host"]
    assert "x-forwarded-host" in code


def test_cloudfront_alone_carries_the_apis_origin_header(synth: Synthesis) -> None:
    from forum.origin import ORIGIN_HEADER

    # Given the two functions behind the HTTP API and CloudFront's origins
    _, site = function_by_handler(synth, SITE_HANDLER)
    _, api = function_by_handler(synth, "api.handler.lambda_handler")
    secrets = {
        json.dumps(props["Environment"]["Variables"]["FORUM_ORIGIN_SECRET"], sort_keys=True)
        for props in (site, api)
    }
    found = behaviors(synth)
    api_origin = origin_of(synth, found["/api/*"])

    # Then both functions know the one secret that CloudFront sends the API's origin
    (secret,) = secrets
    assert "{{resolve:secretsmanager:" in secret
    assert [
        (header["HeaderName"], json.dumps(header["HeaderValue"], sort_keys=True))
        for header in api_origin["OriginCustomHeaders"]
    ] == [(ORIGIN_HEADER, secret)]
    # and the buckets' origins are never sent it
    for pattern in ("/static/*", "/media/*"):
        assert "OriginCustomHeaders" not in origin_of(synth, found[pattern]), pattern
    # and no other function holds it than the three behind the HTTP API (api, site, search)
    holders = [
        logical_id
        for logical_id, resource in synth.of_type("AWS::Lambda::Function").items()
        if "FORUM_ORIGIN_SECRET"
        in ((resource["Properties"].get("Environment") or {}).get("Variables") or {})
    ]
    assert len(holders) == 3, holders


def csp_text(policy: dict[str, Any]) -> str:
    value = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    value = value["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    if isinstance(value, dict):  # an Fn::Join with the region in it
        value = "".join(part if isinstance(part, str) else "<x>" for part in value["Fn::Join"][1])
    return str(value)


def test_every_response_carries_strict_security_headers(synth: Synthesis) -> None:
    found = behaviors(synth)
    policies = synth.of_type("AWS::CloudFront::ResponseHeadersPolicy")
    strict_id = found["*"]["ResponseHeadersPolicyId"]["Ref"]
    for pattern, behavior in found.items():
        expected = (
            strict_id if pattern != "/api/docs" else behavior["ResponseHeadersPolicyId"]["Ref"]
        )
        assert behavior["ResponseHeadersPolicyId"] == {"Ref": expected}, pattern
    strict = policies[strict_id]["Properties"]
    csp = csp_text(strict)
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self' data: blob:"
    # Cognito, and the uploads bucket that pages post images to (infra/images.py)
    assert directives["connect-src"] == "'self' https://cognito-idp.<x>.<x> https://<x>"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'" and directives["form-action"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in csp
    security = strict["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert security["StrictTransportSecurity"]["IncludeSubdomains"] is True
    assert security["ContentTypeOptions"] == {"Override": True}
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    # Only Swagger UI's page may run its inline code, and nothing from elsewhere
    docs = policies[found["/api/docs"]["ResponseHeadersPolicyId"]["Ref"]]["Properties"]
    assert "script-src 'self' 'unsafe-inline';" in csp_text(docs)
    assert "unsafe-eval" not in csp_text(docs)


def test_the_web_bucket_is_private_encrypted_and_ssl_only(synth: Synthesis) -> None:
    static = origin_of(synth, behaviors(synth)["/static/*"])
    bucket_id = static["DomainName"]["Fn::GetAtt"][0]
    bucket = synth.resources[bucket_id]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    encryption = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    policy = next(
        resource["Properties"]["PolicyDocument"]
        for resource in synth.of_type("AWS::S3::BucketPolicy").values()
        if resource["Properties"]["Bucket"] == {"Ref": bucket_id}
    )
    statements = policy["Statement"]
    assert any(
        statement["Effect"] == "Deny"
        and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for statement in statements
    )
    readers = [statement for statement in statements if statement["Effect"] == "Allow"]
    assert [statement["Principal"] for statement in readers] == [
        {"Service": "cloudfront.amazonaws.com"}
    ]


def test_the_web_bucket_gets_the_static_files_and_the_browsers_config(synth: Synthesis) -> None:
    deployments = list(synth.of_type("Custom::CDKBucketDeployment").values())
    # (the hashed files' own deployment, which only adds names: tests/infra/test_static.py)
    by_prefix = {
        item["Properties"].get("DestinationBucketKeyPrefix", ""): item["Properties"]
        for item in deployments
        if "Include" not in item["Properties"]
    }
    assert set(by_prefix) == {"static/", ""}
    assert by_prefix["static/"]["Prune"] is True
    assert by_prefix["static/"]["DistributionPaths"] == ["/static/*"]
    config = by_prefix[""]
    assert config["Prune"] is False
    assert config["DistributionPaths"] == ["/config.json"]
    # The document holds deploy-time values: the region, the Cognito endpoint, pool and client
    markers = json.dumps(config["SourceMarkers"])
    pool_id, _ = synth.one("AWS::Cognito::UserPool")
    client_id, _ = synth.one("AWS::Cognito::UserPoolClient")
    assert pool_id in markers and client_id in markers and "https://cognito-idp." in markers


def test_the_stack_names_the_forums_address(synth: Synthesis) -> None:
    outputs = synth.template.to_json()["Outputs"]
    assert "SiteUrl" in outputs


def test_nothing_else_is_reachable_but_through_cloudfront_and_the_signed_upload(
    synth: Synthesis,
) -> None:
    # Given every bucket, bucket policy and invoke permission of the stack
    distribution_id, _ = synth.one("AWS::CloudFront::Distribution")
    api_id, _ = synth.one("AWS::ApiGatewayV2::Api")
    buckets = synth.of_type("AWS::S3::Bucket")
    policies = {
        resource["Properties"]["Bucket"]["Ref"]: resource["Properties"]["PolicyDocument"]
        for resource in synth.of_type("AWS::S3::BucketPolicy").values()
    }

    # Then no bucket can be made public, and the only reader a policy allows is this
    # distribution (origin access control): the web and media buckets
    readable = set()
    for bucket_id, bucket in buckets.items():
        block = bucket["Properties"]["PublicAccessBlockConfiguration"]
        assert all(block.values()) and len(block) == 4, bucket_id
        for statement in policies.get(bucket_id, {}).get("Statement", []):
            if statement["Effect"] != "Allow":
                continue
            assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}, bucket_id
            assert statement["Action"] == "s3:GetObject", bucket_id
            source = json.dumps(statement["Condition"]["StringEquals"]["AWS:SourceArn"])
            assert distribution_id in source, bucket_id
            readable.add(bucket_id)
    # (the fourth is the search index's, read by the search functions alone)
    assert len(readable) == 2 and len(buckets) == 4
    # and the uploads bucket, the one the browser posts to, allows nobody: only a presigned
    # POST, signed by the api function's role for a member's upload, puts an object there
    (uploads, index) = sorted(set(buckets) - readable)
    assert uploads.startswith("ImagesUploads") and index.startswith("SearchIndex")
    assert index not in policies or all(
        statement["Effect"] == "Deny" for statement in policies[index]["Statement"]
    )
    # And no function has an address of its own: only this HTTP API invokes them, but for the
    # pre sign-up trigger, which only this user pool invokes
    assert not synth.of_type("AWS::Lambda::Url")
    (pool_id,) = synth.of_type("AWS::Cognito::UserPool")
    for logical_id, permission in synth.of_type("AWS::Lambda::Permission").items():
        props = permission["Properties"]
        if props["Principal"] == "cognito-idp.amazonaws.com":
            assert props["SourceArn"] == {"Fn::GetAtt": [pool_id, "Arn"]}, logical_id
            continue
        assert props["Principal"] == "apigateway.amazonaws.com", logical_id
        assert {"Ref": api_id} in props["SourceArn"]["Fn::Join"][1], logical_id
