"""Configuration, read once from the environment into a typed object.

Nothing else in the code base reads ``os.environ``; the CDK stack and the local runtime set these
variables, by the names below, so that the three can never spell one differently.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

TABLE_ENV = "FORUM_TABLE"
DYNAMODB_ENDPOINT_ENV = "FORUM_DYNAMODB_ENDPOINT"
POSTS_PER_PAGE_ENV = "FORUM_POSTS_PER_PAGE"
TOPICS_PER_PAGE_ENV = "FORUM_TOPICS_PER_PAGE"
MAX_REQUEST_BYTES_ENV = "FORUM_MAX_REQUEST_BYTES"
PRESENCE_WINDOW_SECONDS_ENV = "FORUM_PRESENCE_WINDOW_SECONDS"
USER_POOL_ID_ENV = "FORUM_USER_POOL_ID"
USER_POOL_CLIENT_ID_ENV = "FORUM_USER_POOL_CLIENT_ID"
COGNITO_ENDPOINT_ENV = "FORUM_COGNITO_ENDPOINT"
UPLOADS_BUCKET_ENV = "FORUM_UPLOADS_BUCKET"
MEDIA_BUCKET_ENV = "FORUM_MEDIA_BUCKET"
MEDIA_BASE_ENV = "FORUM_MEDIA_BASE"
MAX_UPLOAD_BYTES_ENV = "FORUM_MAX_UPLOAD_BYTES"
MAX_IMAGE_PIXELS_ENV = "FORUM_MAX_IMAGE_PIXELS"
POST_INTERVAL_SECONDS_ENV = "FORUM_POST_INTERVAL_SECONDS"
NEW_MEMBER_POSTS_PER_HOUR_ENV = "FORUM_NEW_MEMBER_POSTS_PER_HOUR"
UPLOADS_PER_HOUR_ENV = "FORUM_UPLOADS_PER_HOUR"
ORIGIN_SECRET_ENV = "FORUM_ORIGIN_SECRET"
SIGN_UPS_PER_IP_PER_HOUR_ENV = "FORUM_SIGN_UPS_PER_IP_PER_HOUR"
SIGN_UPS_PER_ADDRESS_PER_DAY_ENV = "FORUM_SIGN_UPS_PER_ADDRESS_PER_DAY"
PASSWORD_RESETS_PER_IP_PER_HOUR_ENV = "FORUM_PASSWORD_RESETS_PER_IP_PER_HOUR"
PASSWORD_RESETS_PER_ACCOUNT_PER_DAY_ENV = "FORUM_PASSWORD_RESETS_PER_ACCOUNT_PER_DAY"
SITE_NAME_ENV = "FORUM_SITE_NAME"
SITE_URL_ENV = "FORUM_SITE_URL"
USERNAME_GRACE_DAYS_ENV = "FORUM_USERNAME_GRACE_DAYS"
STATIC_FILES_ENV = "FORUM_STATIC_FILES"
CHANGE_SUBSCRIPTIONS_ENV = "FORUM_CHANGE_SUBSCRIPTIONS"
MAIL_FROM_ENV = "FORUM_MAIL_FROM"
MAIL_CONFIGURATION_SET_ENV = "FORUM_MAIL_CONFIGURATION_SET"
MAIL_SECRET_ENV = "FORUM_MAIL_SECRET"
MAILS_PER_HOUR_ENV = "FORUM_MAILS_PER_HOUR"
SEARCH_BUCKET_ENV = "FORUM_SEARCH_BUCKET"
SEARCH_DIRECTORY_ENV = "FORUM_SEARCH_DIRECTORY"


@dataclass(frozen=True)
class Settings:
    table_name: str
    region: str
    # A custom endpoint (the local runtime's moto server); None means the real AWS endpoint.
    dynamodb_endpoint: str | None
    posts_per_page: int
    topics_per_page: int
    max_request_bytes: int
    presence_window_seconds: int
    # The Cognito user pool of the members and the browser's app client (sign-up goes through it).
    user_pool_id: str
    user_pool_client_id: str
    # A custom Cognito endpoint (the local runtime's moto server); None means AWS.
    cognito_endpoint: str | None
    # Image attachments: originals are uploaded to the uploads bucket (under originals/), the
    # thumbnail function writes derived images to the media bucket (under media/), which is
    # served at media_base (CloudFront's /media/*, or the local gateway's).
    uploads_bucket: str
    media_bucket: str
    media_base: str
    max_upload_bytes: int
    max_image_pixels: int
    # Flood control (forum.flood): a member's posts are at least this many seconds apart, and a
    # member whose account is younger than a day posts at most this many times an hour
    # (moderators are exempt; 0 turns a limit off).
    post_interval_seconds: int
    new_member_posts_per_hour: int
    # And a member uploads at most this many images in a clock hour (moderators are exempt; 0
    # turns it off).
    uploads_per_hour: int
    # The value of the header CloudFront adds to every request it sends the HTTP API
    # (forum.origin); empty where nothing stands in front (the tests).
    origin_secret: str
    # Sign-ups (forum.sign_up_limits): at most this many from one IP address in a clock hour,
    # and to one email address in a day (0 turns a limit off).
    sign_ups_per_ip_per_hour: int
    sign_ups_per_address_per_day: int
    # Password resets (forum.reset_limits): at most this many asked from one IP address in a
    # clock hour, and mailed to one account (or asked for one name) in a day (0: no limit).
    password_resets_per_ip_per_hour: int
    password_resets_per_account_per_day: int
    # What the forum's mail calls it, and where its pages are (links in Cognito's mail; empty:
    # the mail carries no links).
    site_name: str
    site_url: str
    # The static build's manifest (build/static.json, as JSON): the content-hashed name of each
    # static file and each kind of page's script (pages.static); empty where no page is made.
    static_files: str
    # A deleted account's username stays reserved this many days (forum.deletion).
    username_grace_days: int = 30
    # The queues the table's changes go to and which changes each wants (forum.fanout), as
    # JSON; written by the stack (infra/changes.py) for the changes function only.
    change_subscriptions: str = ""
    # The forum's own mail (forum.mail): the sender (an SES identity; empty: no mail is sent),
    # the configuration set that reports bounces and complaints, the key that signs
    # unsubscribe links, and at most this many mails a member an hour (0: no cap); its links
    # start with ``site_url``.
    mail_from: str = ""
    mail_configuration_set: str = ""
    mail_secret: str = ""
    mails_per_hour: int = 10
    # Search (forum.search): the bucket holding the index, and where a function keeps its copy.
    search_bucket: str = ""
    search_directory: str = "/tmp/search"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings, read once per process (call ``get_settings.cache_clear()`` to re-read)."""
    return Settings(
        table_name=os.environ.get(TABLE_ENV, "forum"),
        region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        dynamodb_endpoint=os.environ.get(DYNAMODB_ENDPOINT_ENV) or None,
        posts_per_page=_int(POSTS_PER_PAGE_ENV, 20),
        topics_per_page=_int(TOPICS_PER_PAGE_ENV, 20),
        max_request_bytes=_int(MAX_REQUEST_BYTES_ENV, 256 * 1024),
        presence_window_seconds=_int(PRESENCE_WINDOW_SECONDS_ENV, 300),
        user_pool_id=os.environ.get(USER_POOL_ID_ENV, ""),
        user_pool_client_id=os.environ.get(USER_POOL_CLIENT_ID_ENV, ""),
        cognito_endpoint=os.environ.get(COGNITO_ENDPOINT_ENV) or None,
        uploads_bucket=os.environ.get(UPLOADS_BUCKET_ENV, ""),
        media_bucket=os.environ.get(MEDIA_BUCKET_ENV, ""),
        media_base=(os.environ.get(MEDIA_BASE_ENV) or "/media").rstrip("/"),
        max_upload_bytes=_int(MAX_UPLOAD_BYTES_ENV, 10 * 1024 * 1024),
        max_image_pixels=_int(MAX_IMAGE_PIXELS_ENV, 50_000_000),
        post_interval_seconds=_int(POST_INTERVAL_SECONDS_ENV, 5),
        new_member_posts_per_hour=_int(NEW_MEMBER_POSTS_PER_HOUR_ENV, 10),
        uploads_per_hour=_int(UPLOADS_PER_HOUR_ENV, 30),
        origin_secret=os.environ.get(ORIGIN_SECRET_ENV, ""),
        sign_ups_per_ip_per_hour=_int(SIGN_UPS_PER_IP_PER_HOUR_ENV, 10),
        sign_ups_per_address_per_day=_int(SIGN_UPS_PER_ADDRESS_PER_DAY_ENV, 3),
        password_resets_per_ip_per_hour=_int(PASSWORD_RESETS_PER_IP_PER_HOUR_ENV, 10),
        password_resets_per_account_per_day=_int(PASSWORD_RESETS_PER_ACCOUNT_PER_DAY_ENV, 5),
        site_name=os.environ.get(SITE_NAME_ENV) or "Forum",
        site_url=(os.environ.get(SITE_URL_ENV) or "").rstrip("/"),
        username_grace_days=_int(USERNAME_GRACE_DAYS_ENV, 30),
        static_files=os.environ.get(STATIC_FILES_ENV, ""),
        change_subscriptions=os.environ.get(CHANGE_SUBSCRIPTIONS_ENV, ""),
        mail_from=os.environ.get(MAIL_FROM_ENV, ""),
        mail_configuration_set=os.environ.get(MAIL_CONFIGURATION_SET_ENV, ""),
        mail_secret=os.environ.get(MAIL_SECRET_ENV, ""),
        mails_per_hour=_int(MAILS_PER_HOUR_ENV, 10),
        search_bucket=os.environ.get(SEARCH_BUCKET_ENV, ""),
        search_directory=os.environ.get(SEARCH_DIRECTORY_ENV) or "/tmp/search",
    )
