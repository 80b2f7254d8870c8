"""Demo content for a new local forum: members, boards, topics and replies.

Everything goes through the same doors a person uses: members are Cognito users who sign in,
and boards, topics and replies are made through the JSON API with their tokens.
"""

from __future__ import annotations

import logging
from typing import Any

from .client import ForumClient

log = logging.getLogger("forum.seed")

# (username, groups); all share the demo password.
DEMO_USERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("admin", ("admins",)),
    ("moderator", ("moderators",)),
    ("member", ()),
    ("alice", ()),
    ("bob", ()),
    ("carol", ()),
)

BOARDS = (
    ("Announcements", "News about the forum itself."),
    ("General discussion", "Anything that does not fit elsewhere."),
    ("Help and support", "Stuck? Ask here; somebody knows."),
)

WELCOME = """Welcome to the forum! A few things to know:

- Posts are written in **Markdown**: *emphasis*, `code`, lists, tables and [links](https://example.com).
- Quote someone by starting a line with `>`.
- Be kind. Moderators can lock, pin and move topics.

> The best forum is the one people actually read.
"""

TOPICS: tuple[tuple[int, str, str, str], ...] = (
    # (board index, author, title, body)
    (1, "alice", "What are you reading this week?", "I just started *The Dispossessed*. You?"),
    (
        1,
        "bob",
        "Favourite keyboard shortcuts",
        "Mine:\n\n1. `Ctrl+L`\n2. `Ctrl+Shift+T`\n3. `Alt+Tab`",
    ),
    (
        1,
        "carol",
        "Coffee or tea?",
        "Settle it once and for all.\n\n| Drink | Votes |\n|---|---|\n| Coffee | 3 |\n| Tea | 2 |",
    ),
    (1, "member", "Introduce yourself", "Say hello and tell us what brought you here."),
    (2, "bob", "How do I paste code?", "Use three backticks:\n\n```python\nprint('hello')\n```"),
    (
        2,
        "alice",
        "Markdown tables do not render",
        "I wrote\n\n> | a | b |\n\nand nothing happened.",
    ),
    (2, "carol", "Can I edit a post after sending it?", "Asking for a friend who makes typos."),
    (1, "member", "Weekend plans", "- hiking\n- baking\n- sleeping"),
    (2, "bob", "Notifications question", "Is there a way to follow a topic?"),
)

LONG_TOPIC_REPLIES = 50


def _expect(answer: Any, status: int, what: str) -> Any:
    if answer.status != status:
        raise RuntimeError(f"Seeding failed at {what}: {answer.status} {answer.text[:300]}")
    return answer.json


def create_user(
    cognito: Any, pool_id: str, username: str, password: str, groups: tuple[str, ...] = ()
) -> None:
    """A confirmed member with a permanent password, straight in the user pool."""
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=[
            {"Name": "email", "Value": f"{username}@forum.invalid"},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=password, Permanent=True
    )
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)


def create_users(cognito: Any, pool_id: str, password: str) -> None:
    for username, groups in DEMO_USERS:
        try:
            cognito.admin_get_user(UserPoolId=pool_id, Username=username)
            continue
        except cognito.exceptions.UserNotFoundException:
            pass
        create_user(cognito, pool_id, username, password, tuple(groups))


def seed(client: ForumClient, password: str) -> bool:
    """Fill an empty forum; returns False when there was content already."""
    if _expect(client.request("GET", "/api/boards"), 200, "reading boards")["boards"]:
        return False
    tokens = {name: client.sign_in(name, password)["AccessToken"] for name, _ in DEMO_USERS}
    boards = []
    for name, description in BOARDS:
        body = {"name": name, "description": description}
        boards.append(
            _expect(client.request("POST", "/api/boards", body, token=tokens["admin"]), 201, name)
        )

    def start(board: int, author: str, title: str, text: str) -> str:
        answer = client.request(
            "POST",
            f"/api/boards/{boards[board]['id']}/topics",
            {"title": title, "body": text},
            token=tokens[author],
        )
        return str(_expect(answer, 201, title)["topic"]["id"])

    def reply(topic_id: str, author: str, text: str) -> None:
        answer = client.request(
            "POST", f"/api/topics/{topic_id}/posts", {"body": text}, token=tokens[author]
        )
        _expect(answer, 201, f"a reply to {topic_id}")

    welcome = start(0, "admin", "Welcome to the forum", WELCOME)
    rules = start(
        0,
        "moderator",
        "Forum rules (read before posting)",
        "1. Be kind.\n2. Stay on topic.\n3. No spam.",
    )
    started = [start(*topic) for topic in TOPICS]
    reply(
        started[0],
        "bob",
        "> I just started *The Dispossessed*.\n\nGreat choice. I'm on *Piranesi*.",
    )
    reply(started[0], "carol", "Re-reading *Dune*, as one does.")
    reply(
        started[4], "moderator", "Also works with `~~~` fences.\n\n- fenced blocks\n- inline `code`"
    )
    reply(started[6], "alice", "Yes: the **Edit** button under your post.")

    # A photo, as a phone takes it (on its side, with EXIF and GPS: see local/demo_photo.py),
    # shown as a thumbnail that opens larger once the thumbnail function has made its images.
    from .demo_photo import demo_photo

    photo_id = client.upload(tokens["carol"], "IMG_2041.jpg", demo_photo(), "image/jpeg")
    answer = client.request(
        "POST",
        f"/api/boards/{boards[1]['id']}/topics",
        {
            "title": "Moonrise over the lake",
            "body": "Taken on the evening walk, phone held sideways as usual. Tap to enlarge.",
            "attachment_ids": [photo_id],
        },
        token=tokens["carol"],
    )
    _expect(answer, 201, "the photo topic")

    long_topic = start(
        1,
        "alice",
        "The long thread: one sentence each",
        "Let's write a story, one sentence per post.",
    )
    authors = ("bob", "carol", "member", "alice")
    for number in range(LONG_TOPIC_REPLIES):
        reply(
            long_topic,
            authors[number % len(authors)],
            f"Sentence {number + 2}: and then something happened.",
        )

    moderator = tokens["moderator"]
    for topic_id, change in (
        (welcome, {"pinned": True}),
        (rules, {"pinned": True, "locked": True}),
    ):
        answer = client.request("PATCH", f"/api/topics/{topic_id}", change, token=moderator)
        if answer.status != 200:
            log.warning("could not pin or lock a demo topic yet (%d)", answer.status)
    return True
