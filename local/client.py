"""A small HTTP client of the running forum: what a browser does, for the seed and the tests."""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import boto3


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class ForumClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._config: dict[str, Any] | None = None

    @property
    def config(self) -> dict[str, Any]:
        if self._config is None:
            self._config = self.request("GET", "/config.json").json
        return self._config

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
    ) -> Answer:
        payload = (
            data if data is not None else (json.dumps(body).encode() if body is not None else None)
        )
        request = urllib.request.Request(self.base_url + path, data=payload, method=method)
        if payload is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Answer(response.status, dict(response.headers.items()), response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers.items()), error.read())

    def cognito(self) -> Any:
        settings = self.config["cognito"]
        return boto3.client(
            "cognito-idp",
            endpoint_url=settings["endpoint"],
            region_name=self.config["region"],
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def sign_in(self, username: str, password: str) -> dict[str, Any]:
        """The tokens Cognito hands the browser for USER_PASSWORD_AUTH."""
        result = self.cognito().initiate_auth(
            ClientId=self.config["cognito"]["client_id"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
        return dict(result["AuthenticationResult"])

    def upload(
        self,
        token: str,
        filename: str,
        data: bytes,
        content_type: str,
        purpose: str = "post",
    ) -> str:
        """Upload an image as the browser does: ask the API for a presigned POST, then post the
        form straight to S3 (the local moto server). Returns the attachment's id."""
        started = self.request(
            "POST",
            "/api/uploads",
            {
                "filename": filename,
                "content_type": content_type,
                "size": len(data),
                "purpose": purpose,
            },
            token=token,
        )
        if started.status != 201:
            raise RuntimeError(f"POST /api/uploads: {started.status} {started.text[:300]}")
        upload = started.json["upload"]
        posted = post_form(upload["url"], upload["fields"], filename, data, content_type)
        if posted.status >= 300:
            raise RuntimeError(f"the upload to S3 failed: {posted.status} {posted.text[:300]}")
        return str(started.json["attachment"]["id"])


def post_form(
    url: str, fields: dict[str, str], filename: str, data: bytes, content_type: str
) -> Answer:
    """A multipart/form-data POST of the fields and then the file, as a browser's FormData."""
    boundary = "----forum" + secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"'
        f"\r\nContent-Type: {content_type}\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    request = urllib.request.Request(url, data=b"".join(parts), method="POST")
    request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers.items()), error.read())
