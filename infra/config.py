"""The forum's tunable limits, read from CDK context (``cdk.json``) with safe defaults."""

from __future__ import annotations

from dataclasses import dataclass, fields

from constructs import Construct

# Log retention periods CloudWatch Logs accepts, in days.
# fmt: off
LOG_RETENTION_DAYS = frozenset({
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
})
# fmt: on


WAF_RATE_LIMIT_MIN = 10
WAF_RATE_LIMIT_MAX = 2_000_000_000

# Fields for which 0 means "none" rather than being an error.
ZERO_ALLOWED = frozenset(
    {
        "thumbnail_concurrency",
        "post_interval_seconds",
        "new_member_posts_per_hour",
        "uploads_per_hour",
        "sign_ups_per_ip_per_hour",
        "sign_ups_per_address_per_day",
        "password_resets_per_ip_per_hour",
        "password_resets_per_account_per_day",
        "username_grace_days",
    }
)


@dataclass(frozen=True)
class ForumConfig:
    """Each field is read from the context key ``forum:<camelCase name>``."""

    posts_per_page: int = 20
    topics_per_page: int = 20
    max_request_bytes: int = 256 * 1024
    presence_window_seconds: int = 300
    api_throttle_rate: int = 50
    api_throttle_burst: int = 100
    log_retention_days: int = 30
    access_token_minutes: int = 60
    refresh_token_days: int = 30
    max_upload_bytes: int = 10 * 1024 * 1024
    # Instances of the thumbnail function reserved (and its queue's pollers); 0: none reserved.
    thumbnail_concurrency: int = 5
    # SQS messages (uploads) handed to one invocation of the thumbnail function, 1 to 10.
    thumbnail_batch_size: int = 5
    # Flood control (functions/forum/flood.py); 0 turns a limit off. Moderators are exempt.
    post_interval_seconds: int = 5
    new_member_posts_per_hour: int = 10
    # Images one member may upload in a clock hour (functions/forum/flood.py); 0: no limit.
    uploads_per_hour: int = 30
    # Sign-ups (functions/forum/sign_up_limits.py) from one IP address in a clock hour, and to
    # one email address in a day; 0 turns a limit off.
    sign_ups_per_ip_per_hour: int = 10
    sign_ups_per_address_per_day: int = 3
    # Password resets (functions/forum/reset_limits.py) asked from one IP address in a clock
    # hour, and asked for one name or mailed to one account in a day; 0 turns a limit off.
    password_resets_per_ip_per_hour: int = 10
    password_resets_per_account_per_day: int = 5
    # Days a deleted account's username stays reserved (functions/forum/deletion.py); 0: none.
    username_grace_days: int = 30
    # The web ACL's rate-based rule: requests one IP address may make in any 5 minutes, every
    # request through CloudFront counted (cached pages, static files and images included).
    waf_rate_limit: int = 2000
    # WAF blocks in 5 minutes that raise the alarm: scanners are blocked all day long, a burst
    # means an attack or a rule that has started to turn real members away.
    waf_blocks_alarm: int = 100

    @staticmethod
    def context_key(field_name: str) -> str:
        head, *rest = field_name.split("_")
        return "forum:" + head + "".join(part.capitalize() for part in rest)

    @classmethod
    def from_context(cls, scope: Construct) -> ForumConfig:
        values: dict[str, int] = {}
        for field in fields(cls):
            key = cls.context_key(field.name)
            raw = scope.node.try_get_context(key)
            if raw is None:
                continue
            try:
                value = int(raw)
            except (TypeError, ValueError):
                raise ValueError(f"context {key} must be a whole number, not {raw!r}") from None
            if value < 0 or (value == 0 and field.name not in ZERO_ALLOWED):
                raise ValueError(f"context {key} must be positive, not {value}")
            values[field.name] = value
        config = cls(**values)
        config.check()
        return config

    def check(self) -> None:
        if not 1 <= self.thumbnail_batch_size <= 10:
            raise ValueError("context forum:thumbnailBatchSize must be between 1 and 10")
        # AWS WAF's bounds for a rate-based rule's limit.
        if not WAF_RATE_LIMIT_MIN <= self.waf_rate_limit <= WAF_RATE_LIMIT_MAX:
            raise ValueError(
                f"context forum:wafRateLimit must be between {WAF_RATE_LIMIT_MIN} and "
                f"{WAF_RATE_LIMIT_MAX}"
            )
        if self.log_retention_days not in LOG_RETENTION_DAYS:
            allowed = ", ".join(str(days) for days in sorted(LOG_RETENTION_DAYS))
            raise ValueError(
                f"context forum:logRetentionDays is {self.log_retention_days}; use one of {allowed}"
            )
        # Cognito's limits: access/ID tokens 5 minutes to 1 day, refresh tokens up to 10 years.
        if not 5 <= self.access_token_minutes <= 24 * 60:
            raise ValueError("context forum:accessTokenMinutes must be between 5 and 1440")
        if self.refresh_token_days > 3650 or self.refresh_token_days * 24 * 60 <= (
            self.access_token_minutes
        ):
            raise ValueError(
                "context forum:refreshTokenDays must be at most 3650 and outlast the access token"
            )
