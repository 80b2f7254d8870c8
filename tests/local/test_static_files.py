"""The local gateway serves /static as the stack deploys it: the build's hashed names and web/'s
plain ones, each with the Cache-Control of its deployment and the /static/* behavior's headers,
as the synthesized template says them."""

from __future__ import annotations

from typing import Any

from infra import static_build
from local.client import ForumClient
from local.deployed import StaticDeployment
from local.template import load_template

from .conftest import REPO_ROOT, Runtime

WEB = REPO_ROOT / "web"


def template() -> dict[str, Any]:
    # The runtime made it from the same sources (cached in .local/cache by its fingerprint).
    return load_template(REPO_ROOT / ".local" / "cache")


def static_cache_controls(body: dict[str, Any]) -> dict[str, str]:
    """The Cache-Control of the hashed and the plain deployment under static/."""
    found = {}
    for resource in body["Resources"].values():
        properties = resource.get("Properties") or {}
        if (
            resource["Type"] == "Custom::CDKBucketDeployment"
            and properties.get("DestinationBucketKeyPrefix") == "static/"
        ):
            kind = "hashed" if "Include" in properties else "plain"
            found[kind] = properties["SystemMetadata"]["cache-control"]
    return found


def static_behavior_headers(body: dict[str, Any]) -> dict[str, str]:
    """What the /static/* behavior's response headers policy adds (CSP aside: the local one
    adds moto's endpoint to connect-src, tests/local/test_security_headers.py)."""
    resources = body["Resources"]
    (distribution,) = [
        r for r in resources.values() if r["Type"] == "AWS::CloudFront::Distribution"
    ]
    behaviors = distribution["Properties"]["DistributionConfig"]["CacheBehaviors"]
    (static,) = [b for b in behaviors if b["PathPattern"] == "/static/*"]
    policy = resources[static["ResponseHeadersPolicyId"]["Ref"]]["Properties"]
    config = policy["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    headers = {
        "strict-transport-security": f"max-age={hsts['AccessControlMaxAgeSec']}; includeSubDomains",
        "x-frame-options": security["FrameOptions"]["FrameOption"],
        "referrer-policy": security["ReferrerPolicy"]["ReferrerPolicy"],
        "x-content-type-options": "nosniff",
    }
    for item in config["CustomHeadersConfig"]["Items"]:
        headers[item["Header"].lower()] = item["Value"]
    return headers


def get(client: ForumClient, path: str) -> tuple[int, dict[str, str], bytes]:
    answer = client.request("GET", path)
    return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.body


def test_the_gateway_serves_static_files_with_the_stacks_headers(runtime: Runtime) -> None:
    body = template()
    caches = static_cache_controls(body)
    assert caches["hashed"] == "public, max-age=31536000, immutable"
    behavior = static_behavior_headers(body)
    client = ForumClient(runtime.url)
    # Every hashed name the pages may give, a year and immutable
    names = static_build.hashed_names()
    assert names
    for name in names:
        status, headers, content = get(client, f"/static/{name}")
        assert status == 200, name
        assert content == (static_build.BUILD_DIR / name).read_bytes(), name
        assert headers["cache-control"] == caches["hashed"], name
        assert {key: headers.get(key) for key in behavior} == behavior, name
    # and web/ under its plain names, for pages cached before a deployment
    for path in ("js/main.js", "js/topic.js", "css/forum.css", "icons/forum.svg"):
        status, headers, content = get(client, f"/static/{path}")
        assert status == 200, path
        assert content == (WEB / path).read_bytes(), path
        assert headers["cache-control"] == caches["plain"], path
        assert {key: headers.get(key) for key in behavior} == behavior, path
    # The pages name this build's files (the runtime gives the site function its manifest)
    page = client.request("GET", "/").text
    script = "/static/" + static_build.manifest()["pages"]["topic"]
    assert f'<script type="module" src="{script}">' in page
    # A hashed name no build made is not there (nor is the build's manifest)
    for missing in ("js/main.0123456789.js", "../static.json", "static.json"):
        status, _, _ = get(client, f"/static/{missing}")
        assert status == 404, missing


def test_each_deployment_syncs_only_its_own_names() -> None:
    hashed = StaticDeployment("year", exclude=("*",), include=(static_build.HASHED_GLOB,))
    plain = StaticDeployment("minutes", exclude=(static_build.HASHED_GLOB,))
    assert hashed.syncs("js/main-topic.0123456789.js")
    assert not hashed.syncs("js/main.js") and not hashed.syncs("js/main.012345678.js")
    assert plain.syncs("js/main.js") and plain.syncs("css/forum.css")
    assert not plain.syncs("css/forum.abcdef0123.css")
    assert StaticDeployment("all").syncs("anything/at.all")
