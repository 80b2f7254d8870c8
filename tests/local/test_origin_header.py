"""The local gateway adds CloudFront's origin header (forum.origin), so the functions serve it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from werkzeug.test import Client

from forum.origin import ORIGIN_HEADER
from forum.settings import ORIGIN_SECRET_ENV
from local.deployed import Function, HttpRoute
from local.functions import Functions
from local.gateway import Gateway


def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A function that answers with the headers it was sent."""
    return {"statusCode": 200, "body": json.dumps(event["headers"])}


def gateway(environment: dict[str, str]) -> Client:
    function = Function("Site", "site", f"{__name__}.echo", environment, 3, 128)
    return Client(
        Gateway(
            routes=[HttpRoute("$default", "Site", jwt=False)],
            functions=Functions({"Site": function}),
            authorizer=None,
            static_dirs=[Path(__file__).parent],
            config=dict,
        )
    )


def test_the_gateway_adds_the_secret_the_function_was_given() -> None:
    client = gateway({ORIGIN_SECRET_ENV: "local-secret"})
    assert json.loads(client.get("/").get_data())[ORIGIN_HEADER] == "local-secret"
    # A viewer's own header of that name is replaced, as CloudFront replaces it
    forged = client.get("/", headers={"X-Forum-Origin": "guess"})
    assert json.loads(forged.get_data())[ORIGIN_HEADER] == "local-secret"


def test_without_a_secret_no_header_is_added() -> None:
    assert ORIGIN_HEADER not in json.loads(gateway({}).get("/").get_data())
