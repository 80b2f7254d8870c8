"""Who is calling, as far as per-address limits need to know (forum.addresses)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from forum.addresses import viewer_network

# Where CloudFront names the viewer's address (see forum.addresses).
VIEWER_ADDRESS_HEADER = "cloudfront-viewer-address"
FORWARDED_FOR_HEADER = "x-forwarded-for"


def network(event: BaseProxyEvent) -> str:
    """The caller's IPv4 address or IPv6 /64 network, as CloudFront saw it."""
    http = (event.raw_event.get("requestContext") or {}).get("http") or {}
    return viewer_network(
        event.headers.get(VIEWER_ADDRESS_HEADER),
        str(http.get("sourceIp") or ""),
        event.headers.get(FORWARDED_FOR_HEADER),
    )
