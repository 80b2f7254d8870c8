"""The local gateway: what CloudFront and the HTTP API do in AWS, on one port.

`/static/*` comes from build/static (the content-hashed names) and web/ (the plain ones), each
name with the Cache-Control the stack's deployment of it gives (infra/cdn.py), `/media/*` from
the media bucket, `/config.json` is the document
the stack writes for the browser, `/_dev/mail` and `/_dev/mail.json` the local mailbox (no
counterpart in AWS: local/mailbox.py), and every other request becomes the HTTP API event AWS would
send, authorized as the JWT authorizer would, and is handed to the function its route names.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import re
import time
from collections.abc import Callable, Iterable, Sequence
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from forum.origin import ORIGIN_HEADER
from forum.settings import ORIGIN_SECRET_ENV

from .authorizer import JwtAuthorizer, Unauthorized
from .deployed import HttpRoute, StaticDeployment
from .events import build_event, from_result
from .functions import Functions
from .mailbox import Mailbox, mail_page
from .routing import match

# API Gateway refuses request bodies above 10 MB.
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024

log = logging.getLogger("forum.gateway")

NOT_FOUND_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>
<body><h1>Not found</h1><p>There is nothing at this address.</p>
<p><a href="/">Back to the forum</a></p></body></html>
"""


class Gateway:
    def __init__(
        self,
        *,
        routes: list[HttpRoute],
        functions: Functions,
        authorizer: JwtAuthorizer | None,
        static_dirs: Sequence[Path],
        config: Callable[[], dict[str, Any]],
        # (body, content type, Cache-Control) of a media object, as S3 stores it
        media: Callable[[str], tuple[bytes, str, str | None] | None] | None = None,
        response_headers: Sequence[tuple[str, dict[str, str]]] = (),
        mailbox: Mailbox | None = None,
        static_deployments: Sequence[StaticDeployment] = (),
    ) -> None:
        self.mailbox = mailbox
        self.routes = routes
        self.response_headers = response_headers
        self.functions = functions
        self.authorizer = authorizer
        self.static_dirs = [directory.resolve() for directory in static_dirs]
        self.static_deployments = static_deployments
        self.config = config
        self.media = media

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        started = time.perf_counter()
        try:
            response = self.respond(request)
        except Exception:  # a bug in the gateway itself: say so, keep serving
            log.exception("gateway error on %s %s", request.method, request.path)
            response = _problem(502, "Bad gateway", "The local gateway failed; see its log.")
        # CloudFront's response headers policy of the behavior the path falls under.
        for pattern, headers in self.response_headers:
            if fnmatchcase(request.path, pattern):
                for name, value in headers.items():
                    response.headers[name] = value
                break
        elapsed = (time.perf_counter() - started) * 1000
        log.info(
            "%s %s %d %.0fms",
            request.method,
            request.full_path.rstrip("?"),
            response.status_code,
            elapsed,
        )
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/static/"):
            return self.static(path.removeprefix("/static/"))
        if path.startswith("/media/") and self.media is not None:
            found = self.media(path.removeprefix("/media/"))
            if found is None:
                return Response(NOT_FOUND_PAGE, 404, content_type="text/html; charset=utf-8")
            body, content_type, cache_control = found
            response = Response(body, 200, content_type=content_type)
            if cache_control:
                # CloudFront passes on the object's own Cache-Control (see storage.put_media).
                response.headers["Cache-Control"] = cache_control
            return response
        if path == "/config.json":
            return Response(json.dumps(self.config()), 200, content_type="application/json")
        if path.startswith("/_dev/") and self.mailbox is not None:
            mail = mail_page(self.mailbox, path)
            if mail is not None:
                status, mail_type, text = mail
                answer = Response(text, status, content_type=mail_type)
                answer.headers["Cache-Control"] = "no-store"
                return answer
        return self.invoke(request)

    def static(self, relative: str) -> Response:
        # As the web bucket holds them: the names some deployment syncs, with its Cache-Control
        # (S3 keeps it as the object's metadata; CloudFront passes it on).
        synced = [found for found in self.static_deployments if found.syncs(relative)]
        for directory in self.static_dirs if synced else ():
            candidate = (directory / relative).resolve()
            if candidate.is_relative_to(directory) and candidate.is_file():
                break
        else:
            return Response(NOT_FOUND_PAGE, 404, content_type="text/html; charset=utf-8")
        content_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type.endswith("javascript"):
            content_type += "; charset=utf-8"
        response = Response(candidate.read_bytes(), 200, content_type=content_type)
        if synced[-1].cache_control:
            response.headers["Cache-Control"] = synced[-1].cache_control
        return response

    def invoke(self, request: Request) -> Response:
        if (request.content_length or 0) > MAX_PAYLOAD_BYTES:
            return _problem(413, "Payload too large", "Request bodies are limited to 10 MB.")
        found = match(self.routes, request.method, request.path)
        if found is None:
            if request.path.startswith("/api/"):
                return _problem(404, "Not found", "There is no such API route.")
            return Response(NOT_FOUND_PAGE, 404, content_type="text/html; charset=utf-8")
        route, params = found
        body = request.get_data(cache=False)
        if len(body) > MAX_PAYLOAD_BYTES:
            return _problem(413, "Payload too large", "Request bodies are limited to 10 MB.")
        claims = None
        if route.jwt:
            if self.authorizer is None:
                return _unauthorized()
            try:
                claims = self.authorizer.claims(request.headers.get("Authorization"))
            except Unauthorized as error:
                log.info("401 from the JWT authorizer: %s", error)
                return _unauthorized()
        raw_path = request.environ.get("RAW_URI", request.path).split("?", 1)[0]
        event = build_event(
            request.method,
            raw_path,
            request.query_string.decode("latin-1"),
            self._origin_headers(route.function, dict(request.headers.items())),
            body or None,
            route_key=route.route_key,
            path_parameters=params,
            source_ip=request.remote_addr or "127.0.0.1",
            claims=claims,
        )
        result = self.functions.invoke(route.function, event)
        if not isinstance(result, dict) or "statusCode" not in result:
            # An HTTP API treats other return values as a 200 JSON body.
            return Response(json.dumps(result), 200, content_type="application/json")
        answer = from_result(result)
        response = Response(answer.body, answer.status)
        response.headers.clear()
        for name, value in answer.headers:
            response.headers.add(name, value)
        return response

    def _origin_headers(self, function: str, headers: dict[str, str]) -> dict[str, str]:
        """The request's headers with the origin header CloudFront adds (forum.origin), when the
        function was given a secret; a viewer's own header of that name is replaced, as there."""
        secret = self.functions.functions[function].environment.get(ORIGIN_SECRET_ENV)
        if not secret:
            return headers
        kept = {name: value for name, value in headers.items() if name.lower() != ORIGIN_HEADER}
        return {**kept, ORIGIN_HEADER: secret}


def allow_connections(
    policies: Sequence[tuple[str, dict[str, str]]], *sources: str
) -> list[tuple[str, dict[str, str]]]:
    """The stack's header policies with local endpoints added to the CSP's connect-src.

    In AWS the browser talks to Cognito and S3 at their AWS addresses, which the policy names;
    here both are the local moto server.
    """
    adjusted = []
    for pattern, headers in policies:
        headers = dict(headers)
        policy = headers.get("Content-Security-Policy")
        if policy and sources:
            headers["Content-Security-Policy"] = re.sub(
                r"connect-src ([^;]*)",
                lambda match: "connect-src " + " ".join([match.group(1), *sources]),
                policy,
            )
        adjusted.append((pattern, headers))
    return adjusted


def _problem(status: int, title: str, detail: str) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return Response(json.dumps(body), status, content_type="application/problem+json")


def _unauthorized() -> Response:
    # What API Gateway's JWT authorizer answers, word for word.
    response = Response(
        json.dumps({"message": "Unauthorized"}), 401, content_type="application/json"
    )
    response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response
