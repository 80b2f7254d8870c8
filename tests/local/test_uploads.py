"""Uploads on the local runtime, as a browser makes them: the presigned POST goes to the moto
server, S3's notification goes through SQS to the thumbnail function, and the images come back
from the gateway's /media."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from local.client import ForumClient, post_form

from .conftest import PASSWORD, REPO_ROOT, Runtime

SHARED = REPO_ROOT.parent / "shared" / "images"
READY_WITHIN_SECONDS = 60


def settled(client: ForumClient, attachment_id: str) -> dict[str, Any]:
    """The attachment once it is ready or failed (the thumbnail function runs on its own)."""
    deadline = time.monotonic() + READY_WITHIN_SECONDS
    while True:
        answer = client.request("GET", f"/api/attachments/{attachment_id}")
        assert answer.status == 200, answer.text
        if answer.json["status"] != "pending" or time.monotonic() > deadline:
            return dict(answer.json)
        time.sleep(0.2)


def image_at(client: ForumClient, url: str) -> Image.Image:
    answer = client.request("GET", url)
    assert answer.status == 200, url
    assert answer.headers["Content-Type"] == "image/jpeg"
    # As CloudFront serves it: the object's own caching (a media key never changes content).
    assert "immutable" in answer.headers["Cache-Control"]
    im = Image.open(io.BytesIO(answer.body))
    im.load()
    return im


def photo() -> tuple[str, bytes]:
    path = SHARED / "exif-orientation" / "Portrait_6.jpg"
    if path.is_file():
        return path.name, path.read_bytes()
    # Without the shared images: a photo made here, stored on its side like a phone's.
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (1200, 900), (30, 120, 200)).save(out, "JPEG", exif=exif)
    return "sideways.jpg", out.getvalue()


def test_a_photo_goes_from_the_browser_to_s3_and_back_as_images(runtime: Runtime) -> None:
    client = ForumClient(runtime.url)
    token = client.sign_in("bob", PASSWORD)["AccessToken"]
    name, data = photo()

    # When the browser uploads a photo stored on its side (EXIF orientation 6)
    attachment_id = client.upload(token, name, data, "image/jpeg")

    # Then the attachment becomes ready, upright
    found = settled(client, attachment_id)
    assert found["status"] == "ready", found
    assert found["height"] > found["width"]
    # and the gateway serves both images from the media bucket
    thumb = image_at(client, found["thumb_url"])
    display = image_at(client, found["display_url"])
    assert thumb.size == (found["thumb_width"], found["thumb_height"])
    assert display.size == (found["width"], found["height"])
    assert not thumb.getexif() and not display.getexif()

    # and a reply can show it
    topics = client.request("GET", "/api/boards").json["boards"][1]
    board = client.request("GET", f"/api/boards/{topics['id']}").json
    topic_id = board["topics"][0]["id"]
    replied = client.request(
        "POST",
        f"/api/topics/{topic_id}/posts",
        {"body": "A photo", "attachment_ids": [attachment_id]},
        token=token,
    )
    assert replied.status == 201, replied.text
    assert replied.json["post"]["attachments"][0]["thumb_url"] == found["thumb_url"]


def test_a_file_that_is_no_image_fails_with_a_reason(runtime: Runtime) -> None:
    client = ForumClient(runtime.url)
    token = client.sign_in("bob", PASSWORD)["AccessToken"]

    attachment_id = client.upload(token, "notes.jpg", b"shopping list\n" * 50, "image/jpeg")

    found = settled(client, attachment_id)
    assert found["status"] == "failed" and found["reason"] == "The file is not an image."
    assert found["thumb_url"] is None


def test_moto_does_not_enforce_the_policy_so_the_function_does(runtime: Runtime) -> None:
    # Given a presigned POST for a small PNG, used to post something else entirely
    client = ForumClient(runtime.url)
    token = client.sign_in("bob", PASSWORD)["AccessToken"]
    started = client.request(
        "POST",
        "/api/uploads",
        {"filename": "a.png", "content_type": "image/png", "size": 100},
        token=token,
    )
    assert started.status == 201, started.text
    upload = started.json["upload"]
    fields = {**upload["fields"], "Content-Type": "image/jpeg"}
    name, data = photo()
    posted = post_form(upload["url"], fields, name, data, "image/jpeg")
    assert posted.status < 300  # AWS would refuse this POST; moto takes it

    found = settled(client, started.json["attachment"]["id"])
    # The function checks the bytes against the type the object was stored with: a JPEG is
    # fine as a JPEG; the declared PNG and its size are the policy's business in AWS.
    assert found["status"] == "ready"


def test_the_demo_forum_has_a_photo(runtime: Runtime) -> None:
    client = ForumClient(runtime.url)
    board = client.request("GET", "/api/boards").json["boards"][1]
    listed: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = client.request("GET", f"/api/boards/{board['id']}{cursor}").json
        listed += page["topics"]
        if not page["next_cursor"]:
            break
        cursor = f"?cursor={page['next_cursor']}"
    (topic,) = [t for t in listed if t["title"] == "Moonrise over the lake"]

    deadline = time.monotonic() + READY_WITHIN_SECONDS
    while True:
        (attachment,) = client.request("GET", f"/api/topics/{topic['id']}").json["posts"][0][
            "attachments"
        ]
        if attachment["status"] != "pending" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert attachment["status"] == "ready", attachment
    # The demo photo lies on its side with EXIF orientation 6: it comes out landscape
    assert attachment["width"] > attachment["height"]
    image_at(client, attachment["thumb_url"])
    image_at(client, attachment["display_url"])


@pytest.mark.parametrize("path", ["/media/nothing/thumb.jpg", "/media/"])
def test_unknown_media_is_404(runtime: Runtime, path: str) -> None:
    assert ForumClient(runtime.url).request("GET", path).status == 404


def test_the_runtime_says_where_its_aws_is_for_make_redrive(runtime: Runtime) -> None:
    endpoint = Path(runtime.state_dir / "aws" / "endpoint").read_text()
    assert endpoint.startswith("http://127.0.0.1:")
