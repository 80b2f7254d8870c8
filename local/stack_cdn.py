"""What the local runtime reads of CloudFront in the template: the response headers policies by
path pattern, and how the static files are deployed (the gateway serves both as the stack
would)."""

from __future__ import annotations

from typing import Any

from .deployed import StaticDeployment
from .deployment import Deployment
from .template import Resource


def response_headers_policy(deployment: Deployment, logical_id: str, resource: Resource) -> None:
    config = deployment.resolve(resource["Properties"]).get("ResponseHeadersPolicyConfig") or {}
    deployment.header_policies[logical_id] = _header_values(config)


def distribution(deployment: Deployment, logical_id: str, resource: Resource) -> None:
    """The distribution's response headers policies, by the path patterns of its behaviors."""
    config = resource["Properties"]["DistributionConfig"]
    behaviors = [
        *config.get("CacheBehaviors", []),
        {"PathPattern": "*", **config.get("DefaultCacheBehavior", {})},
    ]
    for behavior in behaviors:
        policy = behavior.get("ResponseHeadersPolicyId")
        reference = policy.get("Ref") if isinstance(policy, dict) else None
        headers = dict(deployment.header_policies.get(reference or "", {}))
        deployment.stack.response_headers.append((behavior["PathPattern"], headers))


def bucket_deployment(deployment: Deployment, logical_id: str, resource: Resource) -> None:
    """The static files' deployments: which names each syncs and what Cache-Control it gives
    them (the gateway serves the files from build/static and web/ themselves)."""
    properties = resource["Properties"]
    if properties.get("DestinationBucketKeyPrefix") != "static/":
        return
    deployment.stack.static_deployments.append(
        StaticDeployment(
            cache_control=(properties.get("SystemMetadata") or {}).get("cache-control", ""),
            exclude=tuple(properties.get("Exclude") or ()),
            include=tuple(properties.get("Include") or ()),
        )
    )


def _header_values(config: dict[str, Any]) -> dict[str, str]:
    """The headers a CloudFront response headers policy adds (with override) to a response."""
    headers: dict[str, str] = {}
    security = config.get("SecurityHeadersConfig") or {}
    if "ContentSecurityPolicy" in security:
        headers["Content-Security-Policy"] = security["ContentSecurityPolicy"][
            "ContentSecurityPolicy"
        ]
    if "StrictTransportSecurity" in security:
        hsts = security["StrictTransportSecurity"]
        value = f"max-age={hsts['AccessControlMaxAgeSec']}"
        if hsts.get("IncludeSubdomains"):
            value += "; includeSubDomains"
        if hsts.get("Preload"):
            value += "; preload"
        headers["Strict-Transport-Security"] = value
    if "ContentTypeOptions" in security:
        headers["X-Content-Type-Options"] = "nosniff"
    if "FrameOptions" in security:
        headers["X-Frame-Options"] = security["FrameOptions"]["FrameOption"]
    if "ReferrerPolicy" in security:
        headers["Referrer-Policy"] = security["ReferrerPolicy"]["ReferrerPolicy"]
    for item in (config.get("CustomHeadersConfig") or {}).get("Items") or []:
        headers[item["Header"]] = item["Value"]
    return headers
