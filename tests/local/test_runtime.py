"""The local runtime over plain HTTP: what `make dev` gives a newcomer."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from importlib import resources
from typing import Any

import jwt

from local.client import ForumClient

from .conftest import PASSWORD, REPO_ROOT, Runtime, free_port


def forged_token(client: ForumClient, **changes: Any) -> str:
    """A token signed with the local user pool's real key, with some claims changed."""
    packed = resources.files("moto.cognitoidp").joinpath("resources/jwks-private.json.gz")
    key = json.loads(gzip.decompress(packed.read_bytes()))
    private: Any = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(key))
    genuine = jwt.decode(
        client.sign_in("member", PASSWORD)["AccessToken"], options={"verify_signature": False}
    )
    return jwt.encode({**genuine, **changes}, private, algorithm="RS256", headers={"kid": "dummy"})


def test_a_newcomer_reads_signs_in_posts_and_replies(runtime: Runtime) -> None:
    client = ForumClient(runtime.url)
    # Given the seeded forum, a guest reads the boards
    boards = client.request("GET", "/api/boards")
    assert boards.status == 200
    names = [board["name"] for board in boards.json["boards"]]
    assert names == ["Announcements", "General discussion", "Help and support"]
    assert sum(board["topic_count"] for board in boards.json["boards"]) >= 12
    # When the member signs in through the local Cognito and starts a topic
    config = client.config
    assert config["cognito"]["endpoint"].startswith("http://127.0.0.1:")
    assert config["api_base"] == "/api" and config["max_upload_bytes"] > 0
    token = client.sign_in("member", PASSWORD)["AccessToken"]
    board_id = boards.json["boards"][1]["id"]
    started = client.request(
        "POST",
        f"/api/boards/{board_id}/topics",
        {"title": "Local test", "body": "- a\n- b"},
        token=token,
    )
    assert started.status == 201, started.text
    topic_id = started.json["topic"]["id"]
    assert started.json["topic"]["started_by"]["name"] == "member"
    # and replies to it
    replied = client.request(
        "POST", f"/api/topics/{topic_id}/posts", {"body": "> quote\n\nyes"}, token=token
    )
    assert replied.status == 201, replied.text
    # then the topic page shows both posts
    page = client.request("GET", f"/api/topics/{topic_id}")
    assert page.status == 200
    assert [post["number"] for post in page.json["posts"]] == [1, 2]
    assert "<blockquote>" in page.json["posts"][1]["body_html"]


def test_the_demo_forum_has_a_long_topic_and_members_with_roles(runtime: Runtime) -> None:
    client = ForumClient(runtime.url)
    boards = client.request("GET", "/api/boards").json["boards"]
    topics = client.request("GET", f"/api/boards/{boards[1]['id']}").json["topics"]
    long = max(topics, key=lambda topic: topic["reply_count"])
    assert client.request("GET", f"/api/topics/{long['id']}").json["topic"]["page_count"] >= 3
    claims = jwt.decode(
        client.sign_in("admin", PASSWORD)["AccessToken"], options={"verify_signature": False}
    )
    assert claims["cognito:groups"] == ["admins"]
    claims = jwt.decode(
        client.sign_in("moderator", PASSWORD)["AccessToken"], options={"verify_signature": False}
    )
    assert claims["cognito:groups"] == ["moderators"]


def test_the_gateway_authorizes_like_api_gateway(runtime: Runtime) -> None:
    client = ForumClient(runtime.url)
    board_id = client.request("GET", "/api/boards").json["boards"][0]["id"]
    url = f"/api/boards/{board_id}/topics"
    body = {"title": "Should not exist", "body": "x"}
    now = int(time.time())
    genuine = client.sign_in("member", PASSWORD)["AccessToken"]
    refused = {
        "no token": None,
        "malformed": "not-a-jwt",
        "tampered": genuine[:-6] + ("AAAAAA" if not genuine.endswith("AAAAAA") else "BBBBBB"),
        "expired": forged_token(client, exp=now - 60, iat=now - 3700),
        "wrong issuer": forged_token(
            client, iss="https://cognito-idp.us-east-1.amazonaws.com/other"
        ),
        "wrong client": forged_token(client, client_id="someone-else"),
    }
    for case, token in refused.items():
        answer = client.request("POST", url, body, token=token)
        assert answer.status == 401, (case, answer.text)
        assert answer.json == {"message": "Unauthorized"}
    topics = client.request("GET", f"/api/boards/{board_id}").json["topics"]
    assert "Should not exist" not in [topic["title"] for topic in topics]


def test_unknown_paths_and_oversize_bodies(runtime: Runtime) -> None:
    client = ForumClient(runtime.url)
    api = client.request("GET", "/api/no/such/thing")
    assert api.status == 404
    assert api.headers["Content-Type"] == "application/problem+json"
    page = client.request("GET", "/no/such/page")
    assert page.status == 404
    assert page.headers["Content-Type"].startswith("text/html")
    too_big = client.request("POST", "/api/boards", data=b"x" * (10 * 1024 * 1024 + 1))
    assert too_big.status == 413


def test_a_port_in_use_is_one_clear_line(runtime: Runtime) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "local",
            "--port",
            str(runtime.port),
            "--state-dir",
            str(runtime.state_dir / "other"),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.strip().splitlines() if line]
    assert len(lines) == 1, result.stderr
    assert str(runtime.port) in lines[0] and "FORUM_PORT" in lines[0]


def test_data_survives_a_restart(tmp_path) -> None:
    local = Runtime(free_port(), tmp_path / "state")
    local.start()
    try:
        client = ForumClient(local.url)
        token = client.sign_in("alice", PASSWORD)["AccessToken"]
        board_id = client.request("GET", "/api/boards").json["boards"][2]["id"]
        made = client.request(
            "POST",
            f"/api/boards/{board_id}/topics",
            {"title": "Remember me", "body": "x"},
            token=token,
        )
        assert made.status == 201
        topic_id = made.json["topic"]["id"]
    finally:
        assert local.stop() == 0
    local.start()
    try:
        client = ForumClient(local.url)
        again = client.request("GET", f"/api/topics/{topic_id}")
        assert again.status == 200 and again.json["topic"]["title"] == "Remember me"
        # the same user pool: the same people sign in with the same password
        assert client.sign_in("alice", PASSWORD)["AccessToken"]
        boards = client.request("GET", "/api/boards").json["boards"]
        assert len(boards) == 3  # not seeded twice
    finally:
        assert local.stop() == 0


def test_sign_up_prints_the_confirmation_code_and_reset_works(runtime: Runtime) -> None:
    client = ForumClient(runtime.url)
    cognito = client.cognito()
    client_id = client.config["cognito"]["client_id"]
    # Through the forum's sign-up, the only one the pre sign-up trigger lets through
    account = {"username": "newcomer", "email": "newcomer@forum.invalid"}
    signed_up = client.request("POST", "/api/accounts", {**account, "password": "Newcomer2026x"})
    assert signed_up.status == 201, signed_up.text
    deadline = time.monotonic() + 10
    while not any("sign-up of newcomer" in line for line in runtime.output):
        assert time.monotonic() < deadline, "no confirmation code in the log"
        time.sleep(0.1)
    line = next(line for line in runtime.output if "sign-up of newcomer" in line)
    code = line.split("confirmation code is ")[1].split()[0]
    cognito.confirm_sign_up(ClientId=client_id, Username="newcomer", ConfirmationCode=code)
    tokens = client.sign_in("newcomer", "Newcomer2026x")
    # refresh, then a password reset with the printed code
    refreshed = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )
    assert refreshed["AuthenticationResult"]["AccessToken"]
    cognito.forgot_password(ClientId=client_id, Username="newcomer")
    while not any("password reset for newcomer" in line for line in runtime.output):
        assert time.monotonic() < deadline + 10, "no reset code in the log"
        time.sleep(0.1)
    line = next(line for line in runtime.output if "password reset for newcomer" in line)
    reset_code = line.split("the code is ")[1].split()[0]
    cognito.confirm_forgot_password(
        ClientId=client_id,
        Username="newcomer",
        ConfirmationCode=reset_code,
        Password="Newcomer2027y",
    )
    assert client.sign_in("newcomer", "Newcomer2027y")["AccessToken"]
    # sign-out ends the refresh token's session
    cognito.global_sign_out(AccessToken=client.sign_in("newcomer", "Newcomer2027y")["AccessToken"])
