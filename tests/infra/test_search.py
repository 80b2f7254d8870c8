"""Search: a private index bucket, one indexer that cannot run twice, the search function on
its two public routes with route throttling, and Tantivy in a layer of its own."""

from __future__ import annotations

from typing import Any

from api.routes import SEARCH_ROUTES
from forum import schema
from forum import settings as forum_settings

from .conftest import Synthesis, function_by_handler


def statements(synth: Synthesis, function_id: str) -> list[dict[str, Any]]:
    role_id = synth.resources[function_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    found = []
    for policy in synth.of_type("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            found += policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def index_bucket(synth: Synthesis) -> tuple[str, dict[str, Any]]:
    _, indexer = function_by_handler(synth, "indexer.handler.lambda_handler")
    ref = indexer["Environment"]["Variables"][forum_settings.SEARCH_BUCKET_ENV]
    return ref["Ref"], synth.resources[ref["Ref"]]


def test_the_index_bucket_is_private_encrypted_and_kept(synth: Synthesis) -> None:
    _, bucket = index_bucket(synth)
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}
    assert bucket["DeletionPolicy"] == "Retain"


def test_the_indexer_is_one_writer_at_most(synth: Synthesis) -> None:
    indexer_id, props = function_by_handler(synth, "indexer.handler.lambda_handler")
    assert props["ReservedConcurrentExecutions"] == 1
    lease = [
        statement
        for statement in statements(synth, indexer_id)
        if "dynamodb:PutItem" in statement["Action"]
    ]
    # It writes nothing in the table but its lease.
    assert len(lease) == 1
    assert lease[0]["Condition"] == {
        "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [schema.SEARCH_LEASE_PK]}
    }
    assert not any(
        "dynamodb:UpdateItem" in statement["Action"]
        or "dynamodb:BatchWriteItem" in statement["Action"]
        for statement in statements(synth, indexer_id)
    )


def test_the_search_function_only_reads_the_index(synth: Synthesis) -> None:
    search_id, search = function_by_handler(synth, "search.handler.lambda_handler")
    actions = {
        action
        for statement in statements(synth, search_id)
        for action in (
            [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        )
    }
    assert not any(action.startswith("dynamodb:") for action in actions)
    assert {"s3:GetObject", "s3:ListBucket"} <= actions
    assert not {"s3:PutObject", "s3:DeleteObject"} & actions
    # Tantivy comes in a layer of its own, beside the shared one.
    assert len(search["Layers"]) == 2
    _, api = function_by_handler(synth, "api.handler.lambda_handler")
    assert len(api["Layers"]) == 1


def test_the_search_routes_reach_the_search_function_throttled(synth: Synthesis) -> None:
    search_id, _ = function_by_handler(synth, "search.handler.lambda_handler")
    integrations = {
        logical_id
        for logical_id, resource in synth.of_type("AWS::ApiGatewayV2::Integration").items()
        if resource["Properties"]["IntegrationUri"] == {"Fn::GetAtt": [search_id, "Arn"]}
    }
    routes = {
        route["Properties"]["RouteKey"]: route["Properties"]
        for route in synth.of_type("AWS::ApiGatewayV2::Route").values()
    }
    for route in SEARCH_ROUTES:
        target = routes[route.route_key]["Target"]["Fn::Join"][1][1]["Ref"]
        assert target in integrations
        assert routes[route.route_key].get("AuthorizationType", "NONE") == "NONE"
    (stage,) = synth.of_type("AWS::ApiGatewayV2::Stage").values()
    settings = stage["Properties"]["RouteSettings"]
    assert set(settings) == {route.route_key for route in SEARCH_ROUTES}
    assert all(setting["ThrottlingRateLimit"] > 0 for setting in settings.values())


def test_tantivy_is_in_the_search_layer_alone() -> None:
    from layers import build as layer_build

    layer_build.build(layer=layer_build.SEARCH)  # a no-op when up to date
    search = {path.name.lower() for path in layer_build.SEARCH.target.iterdir()}
    shared = {path.name.lower() for path in layer_build.DEPENDENCIES.target.iterdir()}
    assert "tantivy" in search and "tantivy" not in shared
    assert layer_build.is_up_to_date(
        layer_build.requirements_hash(layer_build.SEARCH), layer_build.SEARCH
    )
