"""Limits come from CDK context with safe defaults; the layer must be built before a synthesis."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest

from infra import REPO_ROOT, api
from infra.config import ForumConfig
from layers import build as layer_build


def config_for(context: dict[str, object]) -> ForumConfig:
    return ForumConfig.from_context(cdk.App(context=context))


def test_without_context_the_defaults_apply() -> None:
    assert config_for({}) == ForumConfig()


def test_cdk_json_names_every_limit_and_agrees_with_the_defaults() -> None:
    context = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    keys = {ForumConfig.context_key(name) for name in ForumConfig.__dataclass_fields__}

    assert keys <= set(context)
    assert config_for(context) == ForumConfig()


def test_context_values_override_the_defaults() -> None:
    config = config_for({"forum:postsPerPage": "15", "forum:apiThrottleRate": 7})

    assert config.posts_per_page == 15
    assert config.api_throttle_rate == 7


@pytest.mark.parametrize(
    "context",
    [
        {"forum:postsPerPage": "many"},
        {"forum:topicsPerPage": 0},
        {"forum:logRetentionDays": 31},
        {"forum:accessTokenMinutes": 2},
        {"forum:refreshTokenDays": 4000},
        {"forum:thumbnailBatchSize": 11},
        {"forum:thumbnailBatchSize": 0},
        {"forum:thumbnailConcurrency": -1},
        {"forum:wafRateLimit": 9},
        {"forum:wafRateLimit": 2_000_000_001},
        {"forum:wafBlocksAlarm": 0},
    ],
)
def test_unusable_context_values_are_refused(context: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="forum:"):
        config_for(context)


def test_a_missing_layer_build_says_how_to_build_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(api, "LAYER_BUILD_DIR", tmp_path / "build")

    with pytest.raises(api.LayerNotBuiltError, match="make layer"):
        api.dependency_layer_code()


def test_the_layer_leaves_out_what_the_lambda_runtime_provides() -> None:
    layer_build.build()  # a no-op when up to date
    installed = {path.name.lower() for path in layer_build.TARGET_DIR.iterdir()}

    assert not {"boto3", "botocore"} & installed
    assert not any(name.startswith(("boto3-", "botocore-")) for name in installed)
    assert "aws_lambda_powertools" in installed
    assert layer_build.is_up_to_date(layer_build.requirements_hash())


def test_a_thumbnail_concurrency_of_zero_means_unreserved() -> None:
    assert config_for({"forum:thumbnailConcurrency": 0}).thumbnail_concurrency == 0
