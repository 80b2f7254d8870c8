"""The forum's two buckets: originals uploaded by browsers, and the images derived from them.

- uploads bucket: the browser posts an original straight to ``originals/{attachment id}`` with a
  presigned POST whose policy pins the key, the content type and the size range; nothing else
  can be written there, and nothing there is ever served.
- media bucket: the thumbnail function writes the derived images under ``media/``; CloudFront
  serves them at ``/media/*`` (the local gateway does the same). The media cleanup function
  deletes those of an attachment whose item is gone (``delete_under``).

The S3 client is made on first use (botocore only: boto3 and s3transfer are not needed and cost
a quarter of a second of a cold start). It signs with SigV4, which presigned POSTs need, and
uses the bucket's regional address, the one a browser can post to without a redirect; with a
custom endpoint (``AWS_ENDPOINT_URL``, the local runtime's moto server) it uses that instead.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from .settings import get_settings

# What the derived images may be cached for, by browsers and CloudFront: their keys never
# point at other bytes (a new upload is a new attachment with new keys).
IMMUTABLE = "public, max-age=31536000, immutable"


class NotDeleted(Exception):
    """S3 refused to delete some of the objects (they are still there; deleting them again may
    succeed)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        details = ", ".join(f"{e.get('Key')}: {e.get('Code')}" for e in errors[:5])
        super().__init__(f"{len(errors)} object(s) not deleted ({details})")
        self.errors = errors


class OriginalMissing(Exception):
    """The original is not in the bucket (never uploaded, or removed by the lifecycle rule)."""


class OriginalTooLarge(Exception):
    """The original is larger than allowed; it was not read."""

    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


@dataclass(frozen=True)
class Original:
    data: bytes
    # The content type the object was uploaded with (pinned by the presigned POST's policy).
    content_type: str | None


@functools.cache
def s3() -> Any:
    """The S3 client of this process."""
    import botocore.session
    from botocore.config import Config

    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "virtual", "us_east_1_regional_endpoint": "regional"},
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=5,
        read_timeout=20,
    )
    session = botocore.session.get_session()
    return session.create_client("s3", region_name=get_settings().region, config=config)


def presigned_upload(
    key: str, content_type: str, size: int, expires_in: int
) -> tuple[str, dict[str, str]]:
    """The URL and form fields of a POST that may put one object at ``key`` in the uploads
    bucket: of exactly this content type and exactly ``size`` bytes (the size the member
    declared, so the limit checked on it holds for the file), within ``expires_in`` seconds.
    The fields go into the form before the file, as S3 requires."""
    presigned = s3().generate_presigned_post(
        Bucket=get_settings().uploads_bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[
            {"Content-Type": content_type},
            ["content-length-range", size, size],
        ],
        ExpiresIn=expires_in,
    )
    return str(presigned["url"]), {name: str(value) for name, value in presigned["fields"].items()}


def read_original(bucket: str, key: str, max_bytes: int) -> Original:
    """The bytes of an uploaded original; a larger object is refused before its body is read."""
    client = s3()
    try:
        found = client.get_object(Bucket=bucket, Key=key)
    except client.exceptions.NoSuchKey:
        raise OriginalMissing(key) from None
    body = found["Body"]
    try:
        size = int(found.get("ContentLength") or 0)
        if size > max_bytes:
            raise OriginalTooLarge(size)
        # Never more than the limit, whatever the length header said.
        data = body.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise OriginalTooLarge(len(data))
    finally:
        body.close()
    return Original(data=data, content_type=found.get("ContentType"))


def put_media(key: str, data: bytes, content_type: str) -> None:
    """Write a derived image to the media bucket: its type, long caching, and no metadata."""
    s3().put_object(
        Bucket=get_settings().media_bucket,
        Key=key,
        Body=data,
        ContentType=content_type,
        CacheControl=IMMUTABLE,
    )


def delete_under(bucket: str, prefix: str, page_size: int = 1000) -> int:
    """Delete every object whose key starts with ``prefix`` (a folder: it ends with "/"), a
    page of up to ``page_size`` keys (DeleteObjects takes a thousand) at a time; how many there
    were. Nothing there is fine, and so is repeating it: S3 answers "deleted" for a key that is
    already gone."""
    if not prefix.endswith("/") or prefix == "/":
        # A prefix that is not one folder could take other attachments' images with it.
        raise ValueError(f"not a folder: {prefix!r}")
    client = s3()
    deleted = 0
    token: str | None = None
    while True:
        page = client.list_objects_v2(
            Bucket=bucket,
            Prefix=prefix,
            MaxKeys=page_size,
            **({"ContinuationToken": token} if token else {}),
        )
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            answer = client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
            # DeleteObjects answers 200 even when some keys failed: each failure is listed.
            if answer.get("Errors"):
                raise NotDeleted(answer["Errors"])
            deleted += len(keys)
        if not page.get("IsTruncated"):
            return deleted
        token = page["NextContinuationToken"]
