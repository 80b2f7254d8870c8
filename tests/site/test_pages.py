"""The pages as a reader without JavaScript gets them: complete, linked, cacheable, escaped."""

from __future__ import annotations

import re
from typing import Any

from ..conftest import ADMIN, MEMBER, MODERATOR, OTHER, Caller
from .conftest import Browse, Html, static_url

HTML = "text/html; charset=utf-8"


def assert_page(page: Html, status: int = 200) -> None:
    assert page.status == status, page.text[:500]
    assert page.headers["content-type"] == HTML
    assert page.text.startswith("<!doctype html>")
    assert '<html lang="en">' in page.text


def test_the_board_index_lists_boards_with_counts_and_last_post(
    browse: Browse, forum: dict[str, Any]
) -> None:
    # Given a board with two topics, when a guest opens the forum
    page = browse("/")
    # then the board is listed with its topics, posts and the last post (author and time)
    assert_page(page)
    assert page.headers["cache-control"] == "public, max-age=5, s-maxage=10"
    words = page.words()
    assert "Board index" in words
    assert re.search(r"General Talk 2 46 Second topic by other", words), words
    assert f'href="/b/{forum["board_id"]}"' in page.text
    assert f'href="/t/{forum["second_id"]}/second-topic#msg1"' in page.text
    # and the page names itself for search engines and link previews
    assert page.title == "Forum"
    assert page.link("canonical") == "https://forum.example/"
    assert page.meta("og:url") == "https://forum.example/"
    assert page.meta("og:title") == "Forum"
    assert page.meta("description") == "A forum with 1 board: General."


def test_a_board_lists_its_topics_newest_activity_first(
    browse: Browse, forum: dict[str, Any]
) -> None:
    page = browse(f"/b/{forum['board_id']}")
    assert_page(page)
    words = page.words()
    # The newer topic first, each with who started it, replies, views and the last post
    assert words.index("Second topic") < words.index("Hello <world> & friends")
    assert "Started by other" in words and "Started by member" in words
    assert "3 pages" in words
    assert re.search(r"Hello <world> & friends Started by member , .+? 44 0 ", words)
    assert f'href="/new-topic?board={forum["board_id"]}"' in page.text
    assert page.title == "General · Forum"
    assert page.link("canonical") == f"https://forum.example/b/{forum['board_id']}"


def test_a_board_pages_through_its_topics_with_cursors(browse: Browse, call: Caller) -> None:
    board = call("POST", "/api/boards", {"name": "Busy"}, claims=ADMIN).json
    for number in range(22):
        started = call(
            "POST",
            f"/api/boards/{board['id']}/topics",
            {"title": f"Topic {number}", "body": "text"},
            claims=MEMBER,
        )
        assert started.status == 201
    first = browse(f"/b/{board['id']}")
    assert first.words().count("Started by member") == 20
    more = re.search(r'href="(/b/[^"]+\?cursor=[^"]+)" rel="next"', first.text)
    assert more, "no link to more topics"
    second = browse(more.group(1).replace("&amp;", "&"))
    assert_page(second)
    assert second.words().count("Started by member") == 2
    assert "« First page" in second.words()
    assert second.link("canonical") == "https://forum.example" + more.group(1)


def test_a_topic_page_reads_like_smf(browse: Browse, call: Caller, forum: dict[str, Any]) -> None:
    topic_id = forum["topic_id"]
    # Given an edited opening post
    edited = call(
        "PATCH",
        f"/api/topics/{topic_id}/posts/1",
        {"body": "First *post*, edited"},
        claims=MODERATOR,
    )
    assert edited.status == 200, edited.text
    # When a guest opens the topic
    page = browse(f"/t/{topic_id}")
    assert_page(page)
    words = page.words()
    # Then it shows the title, who started it and when, and the neighbours' links
    assert page.title == "Hello &lt;world&gt; &amp; friends · Forum"
    assert "<h1>Hello &lt;world&gt; &amp; friends</h1>" in page.text
    assert re.search(r"Started by member , \d+ \w+ \d{4}, \d\d:\d\d UTC", words), words
    assert "« previous topic - next topic »" in words
    assert f'href="/t/{topic_id}/previous"' in page.text
    assert f'href="/t/{topic_id}/next"' in page.text
    # the presence line, from the current window's counter (nobody has beaten yet), which the
    # page's script keeps up to date
    assert "0 Members and 0 Guests are viewing this topic." in words
    # the first page's twenty posts, numbered, with author cards and dates
    assert [int(n) for n in re.findall(r'data-number="(\d+)"', page.text)] == list(range(1, 21))
    assert "#1" in words and "#20" in words and "#21" not in words
    assert re.search(r"member Posts: 1 #1", words), words
    assert re.search(r"other Posts: 45 #2", words), words
    times = page.tags("time")
    assert times and all(re.match(r"\d{4}-\d\d-\d\dT", tag["datetime"]) for tag in times)
    assert all(tag["title"].endswith("UTC") for tag in times)
    # the edit, with its date and editor
    assert re.search(r"Last edit: \d+ \w+ \d{4}, \d\d:\d\d UTC by moderator", words), words
    assert "<p>First <em>post</em>, edited</p>" in page.text
    # and page links, with a jump to any page
    assert re.search(r"Pages: 1 2 3 Go to page", words), words
    assert 'aria-current="page" aria-label="Page 1, current page"' in page.text
    jump = next(tag for tag in page.tags("form") if tag.get("class") == "jump")
    assert jump["method"] == "get"
    assert jump["action"] == f"/t/{topic_id}/hello-world-friends"
    # canonical: the topic's address with its slug
    canonical = f"https://forum.example/t/{topic_id}/hello-world-friends"
    assert page.link("canonical") == canonical
    assert page.meta("og:type") == "article"
    assert page.meta("og:description") == "First post, edited"
    assert page.link("next") == canonical + "?page=2"


def test_later_pages_of_a_topic(browse: Browse, forum: dict[str, Any]) -> None:
    topic_id = forum["topic_id"]
    page = browse(f"/t/{topic_id}/any-old-slug?page=3")
    assert_page(page)
    assert [int(n) for n in re.findall(r'data-number="(\d+)"', page.text)] == list(range(41, 46))
    assert page.title == "Hello &lt;world&gt; &amp; friends (page 3) · Forum"
    canonical = f"https://forum.example/t/{topic_id}/hello-world-friends"
    assert page.link("canonical") == canonical + "?page=3"
    assert page.link("prev") == canonical + "?page=2"
    assert page.link("next") is None
    assert page.meta("description") == "Page 3 of 3 of “Hello <world> & friends”, in General."
    # Post numbers link to their own page
    assert f'href="/t/{topic_id}/hello-world-friends?page=3#msg45"' in page.text


def test_a_page_that_is_not_there_is_a_404_page(browse: Browse, forum: dict[str, Any]) -> None:
    # ?page= with nothing is the first page; anything but a page of the topic is not there
    assert browse(f"/t/{forum['topic_id']}?page=").status == 200
    for bad in ("4", "0", "-1", "two", "1.5", "%00", "9" * 12, "1,2", "1&page=2"):
        page = browse(f"/t/{forum['topic_id']}?page={bad}")
        assert_page(page, 404)
        assert "Not found" in page.title, bad
        assert 'href="/"' in page.text and "Back to the board index" in page.words()
        assert page.meta("robots") == "noindex"
        assert page.headers["cache-control"] == "public, max-age=0, s-maxage=5"


UNKNOWN = [
    "/b/nope",
    "/b/<script>",
    "/b/" + "x" * 65,
    "/t/nope",
    "/t/nope/slug",
    "/u/nobody",
    "/u/" + "n" * 200,
    "/nothing/here",
    "/t",
    "/b/{board}?cursor=bad",
    "/b/{board}?cursor=" + "W1siMCMyMDI2Il1d",
    "/new-topic?board=nope",
]


def test_unknown_things_are_404_pages_never_errors(browse: Browse, forum: dict[str, Any]) -> None:
    for path in UNKNOWN:
        page = browse(path.replace("{board}", forum["board_id"]))
        assert_page(page, 404)
        assert "<h1" in page.text and "Back to the board index" in page.words(), path
        assert "<script>" not in page.words(), path


def test_previous_and_next_follow_the_boards_order(browse: Browse, forum: dict[str, Any]) -> None:
    # The board lists the second (newer) topic first, then the long one
    down = browse(f"/t/{forum['second_id']}/next")
    assert down.status == 302
    assert down.headers["location"] == f"/t/{forum['topic_id']}/hello-world-friends"
    up = browse(f"/t/{forum['topic_id']}/previous")
    assert up.status == 302
    assert up.headers["location"] == f"/t/{forum['second_id']}/second-topic"
    # At either end there is nowhere to go: a 404 page that says so
    end = browse(f"/t/{forum['topic_id']}/next")
    assert_page(end, 404)
    assert "there is no next topic" in end.words()
    start = browse(f"/t/{forum['second_id']}/previous")
    assert_page(start, 404)
    assert "there is no previous topic" in start.words()


def test_a_removed_post_keeps_its_place_but_not_its_words(
    browse: Browse, call: Caller, forum: dict[str, Any]
) -> None:
    removed = call("DELETE", f"/api/topics/{forum['topic_id']}/posts/2", claims=OTHER)
    assert removed.status == 204, removed.text
    page = browse(f"/t/{forum['topic_id']}")
    assert 'id="msg2"' in page.text and 'data-removed="true"' in page.text
    assert "This post was removed." in page.words()
    assert not re.search(r"\breply 2\b", page.words())


def test_what_people_write_is_escaped_or_sanitized(browse: Browse, forum: dict[str, Any]) -> None:
    page = browse(f"/t/{forum['topic_id']}")
    assert "<world>" not in page.text
    assert "<script>x</script>" not in page.text
    assert "First <em>post</em> with" in page.text
    index = browse("/")
    assert "Hello &lt;world&gt; &amp; friends" in index.text or "Second topic" in index.text


def test_pages_have_no_inline_script_or_style(browse: Browse, forum: dict[str, Any]) -> None:
    # A strict Content-Security-Policy (script-src 'self'; style-src 'self') must hold.
    paths = [
        "/",
        f"/b/{forum['board_id']}",
        f"/t/{forum['topic_id']}",
        "/u/member",
        "/login",
        "/register",
        f"/new-topic?board={forum['board_id']}",
        "/new-topic",
        "/nowhere",
    ]
    for path in paths:
        page = browse(path)
        scripts = page.tags("script")
        assert scripts, path
        assert all(tag.get("src", "").startswith("/static/") for tag in scripts), path
        assert all(tag.get("type") == "module" for tag in scripts), path
        assert "<style" not in page.text, path
        assert not re.search(r"\sstyle=", page.text), path
        assert not re.search(r"\son[a-z]+=", page.text), path
        assert 'href="javascript:' not in page.text, path
        stylesheets = [tag for tag in page.tags("link") if tag.get("rel") == "stylesheet"]
        assert [tag["href"] for tag in stylesheets] == [static_url("css/forum.css")], path


def test_every_page_has_a_title_a_description_and_open_graph_tags(
    browse: Browse, forum: dict[str, Any]
) -> None:
    for path in ("/", f"/b/{forum['board_id']}", f"/t/{forum['topic_id']}", "/u/member"):
        page = browse(path)
        assert page.title.endswith("Forum"), path
        for key in ("description", "og:title", "og:description", "og:url", "og:type"):
            assert page.meta(key), (path, key)
        assert page.link("canonical") == page.meta("og:url"), path
        assert (page.link("canonical") or "").startswith("https://forum.example/"), path


def test_canonical_addresses_use_the_host_the_reader_used(
    browse: Browse, forum: dict[str, Any]
) -> None:
    # Behind CloudFront the HTTP API sees its own host; the viewer's arrives as X-Forwarded-Host.
    page = browse(
        f"/b/{forum['board_id']}",
        headers={
            "host": "abc123.execute-api.us-east-1.amazonaws.com",
            "x-forwarded-host": "forum.example.org",
            "x-forwarded-proto": "https",
        },
    )
    assert page.link("canonical") == f"https://forum.example.org/b/{forum['board_id']}"
    local = browse("/", headers={"host": "127.0.0.1:8000"})
    assert local.link("canonical") == "http://127.0.0.1:8000/"
    forged = browse("/", headers={"x-forwarded-host": 'evil"><script>'})
    assert forged.link("canonical") == "http://localhost/"


def test_behind_cloudfront_a_viewers_own_forwarded_proto_is_not_believed(
    browse: Browse, forum: dict[str, Any]
) -> None:
    # CloudFront's function sets X-Forwarded-Host; an X-Forwarded-Proto is what the viewer sent,
    # and the page it would shape is cached for everyone (every behavior redirects to HTTPS).
    page = browse(
        "/", headers={"x-forwarded-host": "forum.example.org", "x-forwarded-proto": "http"}
    )
    assert page.link("canonical") == "https://forum.example.org/"


def test_head_requests_get_headers_only(browse: Browse, forum: dict[str, Any]) -> None:
    page = browse(f"/t/{forum['topic_id']}", method="HEAD")
    assert page.status == 200 and page.text == ""
    assert page.headers["content-type"] == HTML


def test_a_members_page_shows_their_profile_and_posts(
    browse: Browse, forum: dict[str, Any]
) -> None:
    page = browse("/u/member")
    assert_page(page)
    words = page.words()
    assert page.title == "member · Forum"
    assert "@member" in words
    assert re.search(r"Posts 1 Topics 1", words), words
    assert "Latest posts Hello <world> & friends #1" in words
    assert page.meta("og:type") == "profile"
    assert page.link("canonical") == "https://forum.example/u/member"


def test_the_forms_are_there_for_scripts_and_kept_out_of_search(
    browse: Browse, forum: dict[str, Any]
) -> None:
    login = browse("/login?next=/t/x")
    assert_page(login)
    assert login.meta("robots") == "noindex"
    assert login.link("canonical") is None
    assert 'data-next="/t/x"' in login.text
    assert "Signing in needs JavaScript" in login.text
    assert re.search(r"<form [^>]*data-login-form hidden>", login.text)
    # A "next" that leads elsewhere is not followed
    assert 'data-next="/"' in browse("/login?next=//evil.example").text
    register = browse("/register")
    assert_page(register)
    assert 'autocomplete="new-password"' in register.text
    new_topic = browse(f"/new-topic?board={forum['board_id']}")
    assert_page(new_topic)
    assert "New topic in General" in new_topic.words()
    assert 'id="topic-form-title"' in new_topic.text
    choose = browse("/new-topic")
    assert_page(choose)
    assert f'href="/new-topic?board={forum["board_id"]}"' in choose.text


def test_each_page_costs_one_or_two_dynamodb_requests(
    browse: Browse, forum: dict[str, Any], monkeypatch: Any
) -> None:
    import botocore.client

    calls: list[str] = []
    original = botocore.client.BaseClient._make_api_call  # type: ignore[attr-defined]

    def counted(self: Any, operation: str, params: Any) -> Any:
        calls.append(operation)
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counted)
    expected = {
        "/": ["Query"],
        f"/b/{forum['board_id']}": ["Query"],
        f"/t/{forum['topic_id']}?page=2": ["Query", "BatchGetItem"],
        f"/t/{forum['topic_id']}?page=3": ["Query", "BatchGetItem"],
    }
    for path, operations in expected.items():
        calls.clear()
        assert browse(path).status == 200, path
        assert calls == operations, path


def test_crawlers_are_kept_to_the_reading(browse: Browse, table: Any) -> None:
    robots = browse("/robots.txt")
    assert robots.status == 200
    assert robots.headers["content-type"] == "text/plain; charset=utf-8"
    assert "Disallow: /t/*/previous" in robots.text and "Disallow: /api/" in robots.text
    assert "Disallow: /t/\n" not in robots.text
