"""The small rules of attachments: names, keys and addresses (no AWS needed)."""

from __future__ import annotations

import pytest

from forum import images, media, uploads
from forum.settings import MEDIA_BASE_ENV, get_settings


def test_the_api_accepts_exactly_the_types_the_image_core_makes_images_of() -> None:
    # forum.uploads keeps its own list so that the api function never imports Pillow
    assert uploads.ACCEPTED_TYPES == images.ACCEPTED_TYPES


def test_ids_are_unguessable_and_name_their_original() -> None:
    ids = {media.new_attachment_id() for _ in range(1000)}
    assert len(ids) == 1000
    attachment_id = ids.pop()
    assert media.ID_PATTERN.match(attachment_id) and len(attachment_id) == 22
    key = media.original_key(attachment_id)
    assert key == f"originals/{attachment_id}"
    assert media.attachment_id_of(key) == attachment_id


@pytest.mark.parametrize(
    "key", ["media/abcdefghijklmnopqrstuv", "originals/", "originals/short", "originals/a/b/c/d"]
)
def test_other_keys_are_no_attachments_original(key: str) -> None:
    assert media.attachment_id_of(key) is None


def test_images_are_served_under_the_media_base(monkeypatch: pytest.MonkeyPatch) -> None:
    key = media.media_key("abcdefghijklmnopqrstuv", "thumb", "jpg")
    assert key == "media/abcdefghijklmnopqrstuv/thumb.jpg"
    assert media.media_url(key) == "/media/abcdefghijklmnopqrstuv/thumb.jpg"
    assert media.media_url(None) is None

    monkeypatch.setenv(MEDIA_BASE_ENV, "https://images.example.org/media/")
    get_settings.cache_clear()
    try:
        url = media.media_url(key)
    finally:
        get_settings.cache_clear()
    assert url == "https://images.example.org/media/abcdefghijklmnopqrstuv/thumb.jpg"


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (10 * 1024 * 1024, "10 MB"),
        (1536 * 1024, "1.5 MB"),
        (10 * 1024, "10 KB"),
        (500, "500 bytes"),
    ],
)
def test_sizes_read_as_people_say_them(n: int, text: str) -> None:
    assert media.size_text(n) == text


def test_a_shortened_name_keeps_its_extension() -> None:
    name = uploads.clean_filename("Ä" * 250 + ".heic")
    assert len(name) == 200 and name.endswith(".heic")
