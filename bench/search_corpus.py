"""The search benchmark's corpus: real text from files installed on this machine.

Paragraphs of the docstrings of every Python module of the standard library and the
virtualenv's packages, and of the documentation under /usr/share/doc (READMEs, changelogs,
copyright files), each kept once. Posts are one to three consecutive paragraphs of one
source; eight posts from one source make a topic, titled by its first words. Boards, authors
and dates are drawn from a seeded generator, so the same machine gives the same corpus. The
corpus is cached (gzipped JSON lines) so that a second run skips the minute it takes to read.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DOCSTRING = re.compile(r'"""(.*?)"""|\'\'\'(.*?)\'\'\'', re.S)
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
MIN_PARAGRAPH = 60
MAX_POST_CHARS = 2_000
POSTS_PER_TOPIC = 8
BOARDS = 12
AUTHORS = 2_000
START = 1_577_836_800  # 2020-01-01
SPAN = 6 * 365 * 86_400


@dataclass(frozen=True)
class BenchPost:
    topic: str
    number: int
    board: str
    author: str
    title: str
    body: str
    created_at: str


def _paragraphs(text: str) -> Iterator[str]:
    for paragraph in PARAGRAPH_BREAK.split(text):
        flat = " ".join(paragraph.split())
        if len(flat) >= MIN_PARAGRAPH and sum(c.isalpha() for c in flat) > len(flat) / 2:
            yield flat


def sources(roots: list[Path]) -> Iterator[list[str]]:
    """Each source file's paragraphs, in order."""
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            try:
                text = path.read_text(errors="ignore")
            except OSError:
                continue
            found = [
                p
                for m in DOCSTRING.finditer(text)
                for p in _paragraphs(m.group(1) or m.group(2) or "")
            ]
            if found:
                yield found
    for path in sorted(Path("/usr/share/doc").rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        try:
            data = path.read_bytes()
            text = (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8")
        except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile):
            continue
        found = list(_paragraphs(text))
        if found:
            yield found


def build(count: int, roots: list[Path], seed: int = 16) -> list[BenchPost]:
    rng = random.Random(seed)
    seen: set[str] = set()
    posts: list[BenchPost] = []
    topic_number = 0
    for paragraphs in sources(roots):
        fresh = [p for p in paragraphs if p not in seen]
        seen.update(fresh)
        chunks: list[str] = []
        while fresh:
            take = rng.choice((1, 1, 2, 3))
            chunks.append("\n".join(fresh[:take])[:MAX_POST_CHARS])
            fresh = fresh[take:]
        for start in range(0, len(chunks), POSTS_PER_TOPIC):
            topic_number += 1
            topic = f"T{topic_number:07d}"
            group = chunks[start : start + POSTS_PER_TOPIC]
            title = " ".join(group[0].split()[:8])[:120]
            board = f"B{rng.randrange(BOARDS):02d}"
            moment = START + rng.randrange(SPAN)
            for number, body in enumerate(group, start=1):
                moment += rng.randrange(1, 86_400)
                posts.append(
                    BenchPost(topic, number, board, f"member{rng.randrange(AUTHORS)}", title, body,
                              _iso(moment))
                )  # fmt: skip
                if len(posts) == count:
                    return posts
    print(f"note: only {len(posts):,} posts of text found", file=sys.stderr)
    return posts


def _iso(epoch: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def load(count: int, roots: list[Path], cache: Path) -> list[BenchPost]:
    if cache.is_file():
        with gzip.open(cache, "rt", encoding="utf-8") as lines:
            cached = [BenchPost(**json.loads(line)) for line in lines]
        if len(cached) >= count:
            return cached[:count]
    posts = build(count, roots)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(cache, "wt", encoding="utf-8") as out:
        for post in posts:
            out.write(json.dumps(post.__dict__) + "\n")
    return posts
