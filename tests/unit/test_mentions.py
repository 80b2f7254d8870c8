"""Mentions in Markdown: which @names are found, and how the known ones are rendered."""

from __future__ import annotations

import pytest

from forum import markup, mentions, usernames


def known(*names: str) -> dict[str, str]:
    return {usernames.skeleton(name): name for name in names}


def test_a_known_name_becomes_a_link_to_the_members_page() -> None:
    html = markup.render("Thanks @alice!", known("alice"))
    assert html == '<p>Thanks <a href="/u/alice" rel="nofollow ugc noopener">@alice</a>!</p>\n'


def test_the_name_is_linked_as_the_member_spells_it_and_shown_as_written() -> None:
    html = markup.render("hi @ALICE", known("Alice"))
    assert '<a href="/u/Alice" rel="nofollow ugc noopener">@ALICE</a>' in html


@pytest.mark.parametrize(
    "source",
    [
        "hi @nobody",  # unknown
        "`@alice` in code",
        "    @alice in a code block",
        "```\n@alice\n```",
        "[a link to @alice](https://example.org)",
        "mail alice@alice.example",
        "@al",  # too short to be a username
        "@alice_and_more_than_twenty_chars",
    ],
)
def test_what_is_not_a_mention_of_a_known_member_stays_text(source: str) -> None:
    html = markup.render(source, known("alice"))
    assert 'href="/u/' not in html


def test_without_known_names_nothing_is_linked() -> None:
    assert markup.render("hi @alice") == "<p>hi @alice</p>\n"


def test_a_mention_cannot_smuggle_markup() -> None:
    html = markup.render('@alice"><script>x</script>', known("alice"))
    assert "<script>" not in html and 'href="/u/alice"' in html


def test_names_are_found_once_each_in_order_outside_code() -> None:
    source = "@bob and @Alice, `@carol`, @alice again, bob@example.org, **@dave**"
    assert markup.mentioned_names(source) == ["bob", "Alice", "dave"]


def test_a_stored_posts_links_are_read_back_and_capped() -> None:
    names = [f"member{n:03d}" for n in range(30)]
    html = markup.render(" ".join(f"@{n}" for n in names), known(*names))
    assert mentions.linked_names(html) == names[: mentions.LIMIT]
    # a link someone wrote to a profile is no mention
    assert mentions.linked_names(markup.render("[alice](/u/alice)")) == []


def test_at_most_the_limit_of_names_is_looked_up() -> None:
    names = [f"name{n:04d}" for n in range(500)]
    assert len(mentions._candidates(names)) == mentions.LIMIT
    # names a username cannot be are not looked up at all
    assert mentions._candidates(["a", "-" * 30]) == {}
