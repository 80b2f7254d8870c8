"""End-to-end: a real Chromium (Debian's) driven by Playwright against the local runtime.

The runtime is `python -m local` in a subprocess on a free port with a fresh, seeded state, as
tests/local starts it. The browser is /usr/bin/chromium (`make test` installs it with apt where
it can); without it, or without Playwright, these tests skip and say why.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from local.client import ForumClient

from ..local.conftest import PASSWORD, REPO_ROOT, Runtime, running

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = REPO_ROOT / "test-results" / "screenshots"
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


def chromium_path() -> str | None:
    configured = os.environ.get("FORUM_CHROMIUM")
    for candidate in (configured, "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        pytest.skip(
            "no Chromium: install Debian's `chromium` package (make test does it with apt when "
            "it runs as root) or set FORUM_CHROMIUM to a Chromium binary"
        )
    return path


@pytest.fixture(scope="session")
def forum(tmp_path_factory: pytest.TempPathFactory, chromium: str) -> Iterator[Runtime]:
    """The whole forum on a free port, seeded with the demo members, boards and topics."""
    with running(tmp_path_factory, "e2e-state") as runtime:
        yield runtime


@pytest.fixture(scope="session")
def client(forum: Runtime) -> ForumClient:
    return ForumClient(forum.url)


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Any]:
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed (requirements-dev.txt)"
    )
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Visit:
    """A browser context (a person's browser) with what went wrong in it."""

    context: Any
    page: Any
    base_url: str
    problems: list[str] = field(default_factory=list)

    def open(self, path: str) -> Any:
        self.page.goto(self.base_url + path)
        return self.page

    def sign_in(self, username: str = "member", password: str = PASSWORD) -> None:
        self.open("/login?next=/")
        self.page.fill("#login-username", username)
        self.page.fill("#login-password", password)
        self.page.click("#login-form button[type=submit]")
        self.page.wait_for_url(self.base_url + "/")
        self.page.wait_for_selector(f"[data-account] >> text={username}")


Visitor = Callable[..., Visit]


@pytest.fixture
def visitor(browser: Any, forum: Runtime) -> Iterator[Visitor]:
    """Open a fresh browser context: ``visitor()`` is a guest, ``visitor(width=375)`` a phone."""
    opened: list[Visit] = []

    def open_context(viewport: dict[str, int] | None = None, scheme: str = "light") -> Visit:
        context = browser.new_context(
            viewport=viewport or DESKTOP, locale="en-GB", color_scheme=scheme
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        visit = Visit(context, page, forum.url)
        page.on(
            "console",
            lambda message: (
                visit.problems.append(f"console {message.type}: {message.text}")
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: visit.problems.append(f"page error: {error}"))
        opened.append(visit)
        return visit

    yield open_context
    for visit in opened:
        visit.context.close()


def expected_problems(problems: list[str]) -> list[str]:
    """Console errors that are not the page's fault: the 404s of pages that test them."""
    return [text for text in problems if not re.search(r"status of 404", text)]


def axe_violations(
    page: Any, impacts: tuple[str, ...] = ("moderate", "serious", "critical")
) -> list[str]:
    # Evaluated through the DevTools protocol, so the page's strict CSP stays in force.
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in result["violations"]
        if violation["impact"] in impacts
    ]


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
