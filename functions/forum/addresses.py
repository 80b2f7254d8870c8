"""The network a request came from, as CloudFront saw it: what per-address limits count.

Behind CloudFront the HTTP API's ``sourceIp`` is an edge server of CloudFront's, shared by
everyone that edge serves, so nothing counts by it alone. CloudFront appends the viewer's
address to ``X-Forwarded-For`` (after whatever the viewer sent under that name), and the HTTP
API may append the connection's own; so the viewer is the last entry that is not the
connection's ``source_ip``. Else CloudFront's ``CloudFront-Viewer-Address`` ("ip:port"), else
``source_ip`` itself (the local gateway, the tests). Requests that did not come through
CloudFront are refused before (forum.origin), so the viewer cannot choose the entry counted.

An IPv6 client is given a /64 network and may use any address in it, so it counts as one; an
IPv4 address mapped into IPv6 counts as that IPv4 address.
"""

from __future__ import annotations

import ipaddress

IPV6_NETWORK_BITS = 64
UNKNOWN = "unknown"


def network_of(text: str) -> str | None:
    """The IPv4 address or IPv6 /64 network that ``text`` names; None when it names none."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_NETWORK_BITS), strict=False))
    return str(address)


def viewer_network(
    viewer_address: str | None, source_ip: str, forwarded_for: str | None = None
) -> str:
    """The caller's network (see the module's docstring); ``unknown`` when nothing names one."""
    sent = (viewer_address or "").strip()
    forwarded = [entry.strip() for entry in (forwarded_for or "").split(",") if entry.strip()]
    while forwarded and forwarded[-1] == source_ip:
        forwarded.pop()
    for text in [*forwarded[-1:], sent.rpartition(":")[0].strip("[]"), sent, source_ip]:
        network = network_of(text)
        if network is not None:
            return network
    return UNKNOWN
