"""The XSS corpus (tests/xss_payloads.py) posted everywhere people write, then every page that
shows it opened in Chromium: no dialog, no script, no request to another site, the CSP holds.

Through the API, new members post the payloads as topic titles, opening posts and replies,
display names, "about" texts and image file names, under a board whose name and description
are payloads too. A guest then opens the board index, the board, every topic, every member's
page, the new-topic page and error pages for payloads in the address. In the browser, a
moderator quotes a reply (the composer's preview), picks files with payload names, edits a
reply in place and sees the move-topic list; a member saves their profile and posts the whole
corpus from the composer; and the login page's "next" never leads to another site.

On every page: no ``dialog`` event, ``window.__xss`` never set, no request to an origin but the
forum's, no ``securitypolicyviolation`` (a violation means injected markup reached the page and
only the CSP stopped it), no element or attribute that could run or load anything, and the
payloads are on the page as text. Each member posts once, so a per-member flood limit on
posting cannot get in the way.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from PIL import Image

from local.client import ForumClient
from local.seed import create_user

from ..local.conftest import PASSWORD, Runtime
from ..xss_payloads import CORPUS, PAYLOADS, marked, marker, one_line
from .conftest import Visit, Visitor

TITLE_COUNT = 24
REPLY_COUNT = 4
FILES_PER_REPLY = 5
ABOUT_MAX = 1_000
BOARD_NAME = "<img src=x onerror=alert(1)> Board"
BOARD_DESCRIPTION = '"><script>alert(1)</script> <svg onload=alert(1)>'

# Runs in every page of the contexts below before the page's own code, through the DevTools
# protocol (so the page's CSP does not apply to it): reports CSP violations and any write to
# window.__xss to the test at once, even when the page goes away right after.
WATCH = """
(() => {
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__xssReport('csp', `${event.violatedDirective} blocked ${event.blockedURI || '(inline)'}`
      + ` "${event.sample}" on ${location.href}`);
  });
  let value;
  Object.defineProperty(window, '__xss', {
    configurable: false,
    get: () => value,
    set: (next) => {
      value = next;
      window.__xssReport('__xss', `set to ${next} on ${location.href}`);
    },
  });
})();
"""

# What could run or load something, anywhere in the page as it is now (after its scripts ran).
AUDIT = r"""
() => {
  const found = [];
  const own = location.origin;
  const forbidden = new Set(['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base',
    'svg', 'math', 'style', 'template', 'noscript', 'xmp', 'plaintext', 'marquee', 'video',
    'audio', 'source', 'track', 'portal', 'isindex', 'keygen', 'image']);
  const loads = new Set(['src', 'poster', 'data', 'background', 'lowsrc', 'dynsrc']);
  const never = new Set(['style', 'srcdoc', 'srcset', 'formaction', 'xlink:href', 'ping']);
  const describe = (element) => element.outerHTML.slice(0, 160);
  for (const element of document.querySelectorAll('*')) {
    const tag = element.localName;
    // The pages' own "needs JavaScript" notes are the one <noscript> they have.
    const note = tag === 'noscript' && /^<p class="notice">[^<]*<\/p>$/.test(element.innerHTML);
    if (forbidden.has(tag) && !note) found.push(`element: ${describe(element)}`);
    if (tag === 'script') {
      const src = element.getAttribute('src') || '';
      if (!src.startsWith('/static/') || element.textContent.trim()) {
        found.push(`script: ${describe(element)}`);
      }
    }
    if (tag === 'meta' && element.hasAttribute('http-equiv')) {
      found.push(`meta: ${describe(element)}`);
    }
    for (const { name, value } of element.attributes) {
      if (name.startsWith('on') || never.has(name)) {
        found.push(`attribute ${name}: ${describe(element)}`);
        continue;
      }
      if (!['href', 'action', 'cite', ...loads].includes(name)) continue;
      let url;
      try {
        url = new URL(value, location.href);
      } catch {
        continue;
      }
      if (!['http:', 'https:', 'mailto:'].includes(url.protocol)) {
        found.push(`${url.protocol} URL in ${name}: ${describe(element)}`);
      } else if ((loads.has(name) || tag === 'link' || tag === 'form') && url.origin !== own
                 && url.protocol !== 'mailto:') {
        found.push(`a load from ${url.origin}: ${describe(element)}`);
      }
    }
  }
  if (window.__xss !== undefined) found.push(`window.__xss is ${window.__xss}`);
  return found;
}
"""

# After the load event: one frame more, for handlers that fire late (autofocus, <details
# ontoggle>, SVG animations) had any got in. The audit finds such markup whenever it fires.
SETTLE = "() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))"


def _round_robin(fits: Callable[[str], bool], count: int) -> list[int]:
    """Indexes of ``count`` payloads that ``fits``, taken from every kind of the corpus in turn."""
    kinds: list[list[int]] = []
    start = 0
    for group in CORPUS.values():
        kinds.append([start + n for n, payload in enumerate(group) if fits(payload)])
        start += len(group)
    chosen: list[int] = []
    while len(chosen) < count and any(kinds):
        for kind in kinds:
            if kind and len(chosen) < count:
                chosen.append(kind.pop(0))
    assert len(chosen) == count, f"only {len(chosen)} payloads fit"
    return chosen


def _about_chunks() -> list[list[int]]:
    """All payloads that fit an "about" text, packed into as few texts as the limit allows."""
    chunks: list[list[int]] = [[]]
    for index in range(len(PAYLOADS)):
        if len(marked([index])) > ABOUT_MAX:
            continue
        if len(marked([*chunks[-1], index])) > ABOUT_MAX:
            chunks.append([])
        chunks[-1].append(index)
    return chunks


def _png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@dataclass
class Author:
    username: str
    token: str
    display_name: str = ""
    about: list[int] = field(default_factory=list)


@dataclass
class TitledTopic:
    id: str
    title: str
    author: Author
    body: list[int]


@dataclass
class Planted:
    board_id: str
    board_name: str
    topics: list[TitledTopic]
    replies: list[tuple[int, Author, list[int], list[str]]]
    authors: list[Author]

    @property
    def replies_topic(self) -> TitledTopic:
        return self.topics[0]


def _expect(answer: Any, status: int, what: str) -> Any:
    assert answer.status == status, f"{what}: {answer.status} {answer.text[:500]}"
    return answer.json


class Members:
    """Makes new members straight in the user pool, as the demo members are made: faster than
    signing up, and the profile is made by the member's first signed-in call all the same."""

    def __init__(self, client: ForumClient) -> None:
        self.client = client
        # One client for every thread: boto3's clients are thread-safe, making them is not.
        self.cognito = client.cognito()
        self.pool = client.config["cognito"]["user_pool_id"]
        self.app = client.config["cognito"]["client_id"]

    def new(self, username: str) -> Author:
        create_user(self.cognito, self.pool, username, PASSWORD)
        tokens = self.cognito.initiate_auth(
            ClientId=self.app,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        token = tokens["AccessToken"]
        _expect(self.client.request("GET", "/api/me", token=token), 200, f"{username}'s profile")
        return Author(username, token)


def _describe(client: ForumClient, author: Author, name: int, about: list[int]) -> None:
    """Give the member a payload as display name and payloads as their "about" text."""
    text = marked(about) if about else PAYLOADS[name]
    me = _expect(
        client.request(
            "PATCH",
            "/api/me",
            {"display_name": PAYLOADS[name], "about": text},
            token=author.token,
        ),
        200,
        f"{author.username}'s profile change",
    )
    author.display_name = me["display_name"]
    author.about = about


def _ready(client: ForumClient, attachment_ids: list[str]) -> list[str]:
    """Wait until the thumbnail function has made every image; their file names as kept."""
    deadline = time.monotonic() + 60
    names: dict[str, str] = {}
    while len(names) < len(attachment_ids):
        assert time.monotonic() < deadline, f"images not ready: {set(attachment_ids) - set(names)}"
        for attachment_id in attachment_ids:
            if attachment_id in names:
                continue
            found = _expect(
                client.request("GET", f"/api/attachments/{attachment_id}"), 200, "an upload"
            )
            assert found["status"] != "failed", found
            if found["status"] == "ready":
                names[attachment_id] = found["filename"]
        time.sleep(0.2)
    return [names[attachment_id] for attachment_id in attachment_ids]


@pytest.fixture(scope="module")
def planted(client: ForumClient) -> Planted:
    admin = client.sign_in("admin", PASSWORD)["AccessToken"]
    board = _expect(
        client.request(
            "POST",
            "/api/boards",
            {"name": BOARD_NAME, "description": BOARD_DESCRIPTION},
            token=admin,
        ),
        201,
        "the payload board",
    )
    titles = _round_robin(lambda payload: one_line(payload, 200), TITLE_COUNT)
    names = _round_robin(lambda payload: one_line(payload, 40), TITLE_COUNT + REPLY_COUNT)
    files = _round_robin(
        lambda payload: one_line(payload, 200) and not set(payload) & set("/\\"),
        REPLY_COUNT * FILES_PER_REPLY,
    )
    abouts = _about_chunks()
    # The whole corpus in replies, a quarter each.
    quarters = [list(range(len(PAYLOADS)))[n::REPLY_COUNT] for n in range(REPLY_COUNT)]

    members = Members(client)

    def start_topic(n: int) -> TitledTopic:
        author = members.new(f"xss-title-{n:02d}")
        _describe(client, author, names[n], abouts[n] if n < len(abouts) else [])
        body = [titles[n]]
        created = _expect(
            client.request(
                "POST",
                f"/api/boards/{board['id']}/topics",
                {"title": PAYLOADS[titles[n]], "body": marked(body)},
                token=author.token,
            ),
            201,
            f"the topic titled payload {titles[n]}",
        )
        return TitledTopic(created["topic"]["id"], created["topic"]["title"], author, body)

    def upload(n: int) -> tuple[Author, list[str]]:
        author = members.new(f"xss-reply-{n}")
        chosen = files[n * FILES_PER_REPLY : (n + 1) * FILES_PER_REPLY]
        ids = [client.upload(author.token, PAYLOADS[i], _png(), "image/png") for i in chosen]
        return author, ids

    # A few at a time: the forum's functions take one request each at a time, but Cognito, S3,
    # the thumbnails and the client's own waiting overlap. Each member writes one post.
    with ThreadPoolExecutor(max_workers=4) as pool:
        uploading = list(pool.map(upload, range(REPLY_COUNT)))
        topics = list(pool.map(start_topic, range(TITLE_COUNT)))
    authors = [topic.author for topic in topics]

    replies = []
    for n, (author, attachment_ids) in enumerate(uploading):
        about_chunk = TITLE_COUNT + n
        _describe(
            client,
            author,
            names[TITLE_COUNT + n],
            abouts[about_chunk] if about_chunk < len(abouts) else [],
        )
        filenames = _ready(client, attachment_ids)
        answer = _expect(
            client.request(
                "POST",
                f"/api/topics/{topics[0].id}/posts",
                {"body": marked(quarters[n]), "attachment_ids": attachment_ids},
                token=author.token,
            ),
            201,
            f"reply {n}",
        )
        replies.append((int(answer["post"]["number"]), author, quarters[n], filenames))
        authors.append(author)
    assert len(abouts) <= len(authors), "more about texts than members to hold them"
    return Planted(board["id"], board["name"], topics, replies, authors)


class Watch:
    """What one browser context did that it must not have: dialogs, foreign requests, scripts."""

    def __init__(self, visit: Visit, allowed_origins: set[str]) -> None:
        self.visit = visit
        self.allowed = allowed_origins
        self.failures: list[str] = []
        self.pages = 0
        context = visit.context
        context.expose_function(
            "__xssReport", lambda kind, detail: self.failures.append(f"{kind}: {detail}")
        )
        context.add_init_script(WATCH)
        context.on("request", self._request)
        visit.page.on("dialog", self._dialog)

    def _request(self, request: Any) -> None:
        url = request.url
        if url.startswith(("data:", "blob:")):
            self.failures.append(f"a {url[:5]} request from {request.frame.url}: {url[:100]}")
            return
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" not in self.allowed:
            self.failures.append(f"a request to another site: {url[:200]}")

    def _dialog(self, dialog: Any) -> None:
        self.failures.append(f"a {dialog.type} dialog: {dialog.message!r} on {self.visit.page.url}")
        dialog.dismiss()

    @property
    def page(self) -> Any:
        return self.visit.page

    def open(self, path: str, status: int = 200) -> Any:
        page = self.visit.page
        response = page.goto(self.visit.base_url + path, wait_until="load")
        assert response is not None and response.status == status, (path, response)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self';" in policy and "unsafe-" not in policy, (path, policy)
        self.check(path)
        return page

    def check(self, where: str) -> None:
        page = self.visit.page
        page.evaluate(SETTLE)
        self.failures += [f"{where}: {problem}" for problem in page.evaluate(AUDIT)]
        self.pages += 1
        # At once, before any check of the page's text: a payload that became markup is the
        # finding, the text it no longer shows only its consequence.
        assert self.failures == [], "\n".join(self.failures[:40])

    def assert_clean(self) -> None:
        problems = [
            problem
            for problem in self.visit.problems
            # 404 pages are opened on purpose; their console line is the browser's, not ours.
            if "status of 404" not in problem
        ]
        assert self.failures == [], "\n".join(self.failures[:40])
        assert problems == [], "\n".join(problems[:40])


def _text(page: Any, selector: str) -> list[str]:
    return [str(text) for text in _texts(page, found=selector)["found"]]


def _texts(page: Any, **selectors: str) -> dict[str, list[str]]:
    """The text of what each selector finds (``selector@name``: that attribute), in one call."""
    return dict(
        page.evaluate(
            """(selectors) => Object.fromEntries(Object.entries(selectors).map(([key, query]) => {
              const [selector, attribute] = query.split('@');
              const found = [...document.querySelectorAll(selector)];
              return [key, found.map((e) => attribute ? e.getAttribute(attribute) : e.textContent)];
            }))""",
            selectors,
        )
    )


def _check_replies(page: Any, planted: Planted) -> None:
    """The replies hold the whole corpus, their authors' names and the images' file names."""
    for number, author, indexes, filenames in planted.replies:
        shown = _texts(
            page,
            body=f"#msg{number} [data-body]",
            author=f"#msg{number} .author .name a",
            alts=f"#msg{number} .attachments img@alt",
        )
        missing = [index for index in indexes if marker(index) not in shown["body"][0]]
        assert missing == [], f"payloads missing from reply #{number}: {missing}"
        assert shown["author"] == [author.display_name]
        assert shown["alts"] == filenames


def _session(client: ForumClient, username: str) -> str:
    """An init script that signs the browser in as ``username``, as the login page would."""
    tokens = client.sign_in(username, PASSWORD)
    session = {
        "id": tokens["IdToken"],
        "access": tokens["AccessToken"],
        "refresh": tokens["RefreshToken"],
        "expires": int(time.time()) + 3000,
        "remember": True,
    }
    return f"localStorage.setItem('forum.session', {json.dumps(json.dumps(session))});"


@pytest.fixture
def watched(visitor: Visitor, forum: Runtime) -> Iterator[Any]:
    def open_watched(allowed: set[str] | None = None) -> Watch:
        origins = {forum.url, *(allowed or set())}
        return Watch(visitor(), origins)

    yield open_watched


def test_a_guest_sees_every_payload_as_text_and_nothing_runs(
    planted: Planted, watched: Any
) -> None:
    watch: Watch = watched()
    # The board index: the board's name and description, and the board's last post's title
    shown = _texts(
        watch.open("/"), boards="a.title", descriptions="p.description", last="td.last a"
    )
    assert BOARD_NAME in shown["boards"]
    assert BOARD_DESCRIPTION in shown["descriptions"]
    assert planted.replies_topic.title in shown["last"]
    # The board, page by page: every title
    titles: list[str] = []
    path: str | None = f"/b/{quote(planted.board_id, safe='')}"
    while path:
        shown = _texts(watch.open(path), heading="h1", titles="a.title", more="a[rel=next]@href")
        assert shown["heading"] == [BOARD_NAME]
        titles += shown["titles"]
        path = shown["more"][0] if shown["more"] else None
    assert sorted(titles) == sorted(topic.title for topic in planted.topics)
    # Every topic: the title (heading, breadcrumb, tab title, Open Graph), the opening post and
    # its author's display name
    for topic in planted.topics:
        shown = _texts(
            watch.open(f"/t/{topic.id}"),
            heading=".topic-header h1",
            crumb=".breadcrumbs [aria-current]",
            title="title",
            og="meta[property='og:title']@content",
            author="#msg1 .author .name a",
            body="#msg1 [data-body]",
        )
        assert shown["heading"] == shown["crumb"] == shown["og"] == [topic.title]
        assert shown["title"][0].startswith(topic.title)
        assert shown["author"] == [topic.author.display_name]
        assert all(marker(index) in shown["body"][0] for index in topic.body)
        if topic is planted.replies_topic:
            _check_replies(watch.page, planted)
    # Every member's page: display name and "about" text, and their post under its title
    for author in planted.authors:
        shown = _texts(
            watch.open(f"/u/{author.username}"),
            heading="#profile-heading",
            about=".profile .about",
            posts=".member-posts article",
        )
        assert shown["heading"] == [author.display_name]
        assert all(marker(index) in "".join(shown["about"]) for index in author.about)
        assert len(shown["posts"]) == 1
    # The new-topic page names the board
    watch.open(f"/new-topic?board={quote(planted.board_id, safe='')}")
    # Error pages, for payloads in the address itself
    for payload in (
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "javascript:alert(1)",
    ):
        escaped = quote(payload, safe="")
        for path in (f"/b/{escaped}", f"/t/{escaped}", f"/u/{escaped}", f"/{escaped}"):
            watch.open(path, status=404)
    watch.open(f"/login?next={quote('/<script>alert(1)</script>', safe='')}")
    watch.assert_clean()
    assert watch.pages >= len(planted.topics) + len(planted.authors)


def test_a_moderator_quotes_previews_and_picks_files_and_nothing_runs(
    planted: Planted, watched: Any, client: ForumClient
) -> None:
    # The moderator's browser also talks to Cognito and S3 (the local moto server).
    moto = urlsplit(client.config["cognito"]["endpoint"])
    watch: Watch = watched({f"{moto.scheme}://{moto.netloc}"})
    watch.visit.context.add_init_script(_session(client, "moderator"))
    page = watch.open(f"/t/{planted.replies_topic.id}")
    number, _, indexes, _ = planted.replies[0]
    page.locator(f"#msg{number} [data-actions]").get_by_role(
        "button", name=f"Quote #{number}"
    ).click()
    # Quoting puts the reply's Markdown in the composer, and the preview shows it rendered
    preview = page.locator("#reply-form [data-preview]")
    last = marker(indexes[-1])
    page.wait_for_function(
        "(word) => document.querySelector('#reply-form [data-preview]').textContent.includes(word)",
        arg=last,
        timeout=20_000,
    )
    shown = preview.text_content() or ""
    assert all(marker(index) in shown for index in indexes)
    watch.check("the quote's preview")
    # Files whose names are payloads, picked in the composer
    page.wait_for_selector("#reply-form [data-uploads]:visible")
    picked = [
        PAYLOADS[i]
        for i in _round_robin(
            lambda payload: one_line(payload, 200) and not set(payload) & set("/\\"), 3
        )
    ]
    page.set_input_files(
        "#reply-form [data-file]",
        [{"name": name, "mimeType": "image/png", "buffer": _png()} for name in picked],
    )
    page.wait_for_function(
        "(count) => document.querySelectorAll('#reply-form [data-upload][data-ready], "
        "#reply-form [data-upload][data-failed]').length === count",
        arg=len(picked),
        timeout=60_000,
    )
    assert _text(page, "#reply-form [data-upload] .name") == picked
    watch.check("the picked files")
    # Editing a reply (a moderator may edit any): the editor holds the payloads' Markdown as it
    # was written, and saving puts the server's rendering in place of what the page showed
    page.locator(f"#msg{number} [data-actions]").get_by_role(
        "button", name=f"Edit #{number}"
    ).click()
    editor = page.locator(f"#msg{number} [data-edit-body]")
    assert editor.input_value() == marked(indexes)
    page.locator(f"#msg{number} [data-body]").evaluate("(body) => body.replaceChildren()")
    page.locator(f"#msg{number} [data-edit-form] button[type=submit]").click()
    page.wait_for_selector(f"#msg{number} [data-edited]:visible")
    body = _text(page, f"#msg{number} [data-body]")[0]
    assert all(marker(index) in body for index in indexes)
    watch.check("the edited reply")
    # On a topic of another board, the list of boards to move it to names the payload board
    demo = client.request("GET", "/api/boards").json["boards"]
    other = next(board for board in demo if board["id"] != planted.board_id)
    listed = client.request("GET", f"/api/boards/{other['id']}").json
    page = watch.open(f"/t/{listed['topics'][0]['id']}")
    page.wait_for_selector("#move-board")
    assert planted.board_name in _text(page, "#move-board option")
    watch.check("the move list")
    watch.assert_clean()


def test_a_member_writes_payloads_in_the_browser_and_nothing_runs(
    planted: Planted, watched: Any, client: ForumClient
) -> None:
    # A member of their own, who has not posted yet, whatever the flood limit on posting.
    author = Members(client).new("xss-writer")
    name = next(p for p in PAYLOADS if one_line(p, 40) and p.startswith('"'))
    chunk = _about_chunks()[0]
    _describe(client, author, PAYLOADS.index(name), chunk)
    watch: Watch = watched()
    watch.visit.context.add_init_script(_session(client, author.username))
    # Their profile: the form shows the payloads as values; saving puts the server's rendering
    # of the "about" text in place of the old one
    page = watch.open(f"/u/{author.username}")
    page.get_by_role("button", name="Edit profile").click()
    assert page.locator("#profile-name").input_value() == author.display_name
    assert page.locator("#profile-about").input_value() == marked(chunk)
    page.locator(".profile .about").evaluate("(about) => about.replaceChildren()")
    page.get_by_role("button", name="Save profile").click()
    page.locator("#profile-name").wait_for(state="detached")
    watch.check("the saved profile")
    assert all(marker(index) in "".join(_text(page, ".profile .about")) for index in chunk)
    # A reply of the whole corpus, written in the composer: its preview, then the post the
    # page adds at once with the author's card
    everything = list(range(len(PAYLOADS)))
    page = watch.open(f"/t/{planted.replies_topic.id}")
    page.fill("#reply-form-body", marked(everything))
    last = marker(everything[-1])
    page.wait_for_function(
        "(word) => document.querySelector('#reply-form [data-preview]').textContent.includes(word)",
        arg=last,
    )
    watch.check("the reply's preview")
    page.click("#reply-form [data-submit]")
    number = REPLY_COUNT + 2
    page.wait_for_selector(f"#msg{number} [data-body]")
    shown = _texts(page, body=f"#msg{number} [data-body]", author=f"#msg{number} .name a")
    assert all(marker(index) in shown["body"][0] for index in everything)
    # The reply's answer carries the author's username (the card comes with the next read).
    assert shown["author"][0] in (author.display_name, author.username)
    watch.check("the reply")
    watch.assert_clean()


# Where a signed-in member is sent from the login page: ``next`` names it, and browsers drop tabs
# and line breaks from an address and read "\\" as "/" before they follow it.
FOREIGN_DESTINATIONS = (
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://evil.invalid/",
    "//evil.invalid/",
    " //evil.invalid/",
    "/\\evil.invalid/",
    "/\t/evil.invalid/",
    "/\n/evil.invalid/",
    "/\r/evil.invalid/",
    "/%09/evil.invalid/",
)


def test_signing_in_leads_back_to_this_site_only(
    watched: Any, client: ForumClient, forum: Runtime
) -> None:
    watch: Watch = watched()
    watch.visit.context.add_init_script(_session(client, "alice"))
    led_away = []
    for destination in FOREIGN_DESTINATIONS:
        page = watch.open(f"/login?next={quote(destination, safe='')}")
        link = page.get_by_role("link", name="Continue")
        link.wait_for()
        target = link.evaluate("(link) => link.href")
        if urlsplit(target).netloc != urlsplit(forum.url).netloc:
            led_away.append((destination, target))
    assert led_away == []
    watch.assert_clean()
