"""The local gateway sends the headers CloudFront's response headers policies send in AWS."""

from __future__ import annotations

from local.client import ForumClient
from local.gateway import allow_connections

from .conftest import Runtime


def test_every_local_response_carries_the_stacks_security_headers(runtime: Runtime) -> None:
    client = ForumClient(runtime.url)
    moto = client.config["cognito"]["endpoint"]
    for path in ("/", "/static/css/forum.css", "/config.json", "/api/boards", "/nowhere"):
        headers = {
            name.lower(): value for name, value in client.request("GET", path).headers.items()
        }
        csp = headers["content-security-policy"]
        assert "script-src 'self';" in csp and "style-src 'self';" in csp, path
        assert "frame-ancestors 'none'" in csp and "unsafe" not in csp, path
        # The browser signs in with the local Cognito (moto) instead of AWS's endpoint
        connect = next(part for part in csp.split("; ") if part.startswith("connect-src "))
        sources = connect.split()[1:]
        assert sources[:2] == ["'self'", "https://cognito-idp.us-east-1.amazonaws.com"], path
        assert sources[-1] == moto, path
        assert headers["strict-transport-security"].startswith("max-age=")
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    # Swagger UI's page is the one allowed to run its inline code, as in the stack
    docs = client.request("GET", "/api/docs").headers
    docs_csp = {name.lower(): value for name, value in docs.items()}["content-security-policy"]
    assert "script-src 'self' 'unsafe-inline'" in docs_csp


def test_local_endpoints_join_only_connect_src() -> None:
    policies = [("*", {"Content-Security-Policy": "default-src 'self'; connect-src 'self' a"})]
    assert allow_connections(policies, "http://127.0.0.1:1") == [
        (
            "*",
            {
                "Content-Security-Policy": "default-src 'self'; connect-src 'self' a http://127.0.0.1:1"
            },
        )
    ]
    assert allow_connections(policies) == policies
