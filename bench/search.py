"""Full-text search at 200,000 posts: Tantivy (the forum's engine) beside SQLite FTS5.

Run from the repository root:

    .venv/bin/python bench/search.py [--posts 200000] [--runs 20]

1. The corpus (bench/search_corpus.py): real text from this machine's Python docstrings and
   /usr/share/doc, 200,000 posts in topics of eight, twelve boards, 2,000 authors, six years.
2. Indexing, in one process: Tantivy through ``forum.search.index`` (the documents the indexer
   and the rebuild make, one writer with Tantivy's default threads), and SQLite FTS5
   (``porter unicode61 remove_diacritics``, title and body) in one transaction. Posts a second.
3. Size: each index on disk against the corpus's text (titles and bodies, UTF-8); both store
   the text for snippets.
4. Queries: a fixed set (single words, two words, phrases, a rare word, prefixes, OR, excluded
   words, filters by board, author and dates, titles only, newest first), each run warm
   ``--runs`` times after one run. Tantivy's figure is the search function's own work:
   ``forum.search.engine.search`` parses, builds the query, searches, counts the matches and
   makes 20 escaped snippets. FTS5's is the same page: MATCH with bm25 (title weighted 3),
   snippet(), and a count.
5. Cold start: the index published to a moto S3 server as the indexer publishes it, then a
   fresh process fetches it like a cold search function (``forum.search.store.Replica``) and
   answers the queries; its fetch time and peak memory (VmHWM) size the function.

It prints figures and asserts none of them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "functions")]

from bench.search_corpus import BenchPost, load  # noqa: E402

CACHE = REPO_ROOT / ".local" / "bench" / "search-corpus.jsonl.gz"
ROOTS = [Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}",
         REPO_ROOT / ".venv" / "lib"]  # fmt: skip

# (name, the forum's query and filters, the FTS5 expression and SQL filter)
QUERIES: list[tuple[str, dict[str, object], str, str]] = [
    ("word", {"q": "function"}, '"function"', ""),
    ("word", {"q": "database"}, '"database"', ""),
    ("two words", {"q": "file path"}, '"file" "path"', ""),
    ("two words", {"q": "thread safe"}, '"thread" "safe"', ""),
    ("phrase", {"q": '"default value"'}, '"default value"', ""),
    ("phrase", {"q": '"regular expression"'}, '"regular expression"', ""),
    ("rare word", {"q": "RARE"}, '"RARE"', ""),
    ("prefix", {"q": "config*"}, "config*", ""),
    ("prefix", {"q": "serial*"}, "serial*", ""),
    ("OR", {"q": "gzip OR bzip2"}, '"gzip" OR "bzip2"', ""),
    ("excluded", {"q": "encoding -unicode"}, '"encoding" NOT "unicode"', ""),
    ("board", {"q": "error", "board": "B03"}, '"error"', "AND board = 'B03'"),
    ("author", {"q": "value", "author": "member42"}, '"value"', "AND author = 'member42'"),
    ("dates", {"q": "license", "since": "2023-01-01", "until": "2023-12-31"}, '"license"',
     "AND created >= '2023-01-01' AND created < '2024-01-01'"),
    ("titles", {"q": "python", "titles_only": True}, 'title : "python"', ""),
    ("newest", {"q": "memory", "order": "newest"}, '"memory"', "NEWEST"),
]  # fmt: skip


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def directory_bytes(path: Path) -> int:
    return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())


def rare_word(posts: list[BenchPost]) -> str:
    """A word of 8-14 letters that one post in a hundred has once (the first, alphabetically)."""
    counts: dict[str, int] = {}
    for post in posts[::100]:
        for word in set(post.body.lower().split()):
            if 8 <= len(word) <= 14 and word.isalpha() and word.isascii() and "aa" not in word:
                counts[word] = counts.get(word, 0) + 1
    return min(word for word, count in counts.items() if count == 1)


# --- Tantivy -----------------------------------------------------------------------------------


def index_tantivy(posts: list[BenchPost], directory: Path) -> float:
    from forum.search import index as ix

    started = time.perf_counter()
    index = ix.open_index(str(directory))
    writer = index.writer(256_000_000)
    for post in posts:
        document = ix.PostDocument(post.topic, post.number, post.board, post.author, post.title,
                                   post.body, post.created_at)  # fmt: skip
        writer.add_document(ix.to_document(document))
    writer.commit()
    writer.wait_merging_threads()
    return time.perf_counter() - started


def tantivy_runner(index: object) -> Callable[[dict[str, object]], int]:
    from forum.search.engine import Filters, SearchRequest, search

    def run(query: dict[str, object]) -> int:
        options = dict(query)
        q = str(options.pop("q"))
        order = str(options.pop("order", "relevance"))
        for day in ("since", "until"):
            if day in options:
                options[day] = dt.date.fromisoformat(str(options[day]))
        results = search(index, SearchRequest(q, Filters(**options), order=order))  # type: ignore[arg-type]
        return results.total

    return run


# --- SQLite FTS5 -------------------------------------------------------------------------------


def index_sqlite(posts: list[BenchPost], path: Path) -> float:
    started = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute(
        "CREATE VIRTUAL TABLE posts USING fts5(title, body, topic UNINDEXED, number UNINDEXED,"
        " board UNINDEXED, author UNINDEXED, created UNINDEXED,"
        " tokenize='porter unicode61 remove_diacritics 2')"
    )
    with db:
        db.executemany(
            "INSERT INTO posts VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((p.title if p.number == 1 else "", p.body, p.topic, p.number, p.board, p.author,
              p.created_at) for p in posts),
        )  # fmt: skip
    db.execute("INSERT INTO posts(posts) VALUES('optimize')")
    db.commit()
    db.close()
    return time.perf_counter() - started


def sqlite_runner(path: Path) -> Callable[[str, str], int]:
    db = sqlite3.connect(path)

    def run(expression: str, condition: str) -> int:
        newest = condition == "NEWEST"
        where = "" if newest else condition
        order = "created DESC" if newest else "bm25(posts, 3.0, 1.0)"
        rows = db.execute(
            f"SELECT topic, number, snippet(posts, 1, '<mark>', '</mark>', '…', 32) FROM posts "
            f"WHERE posts MATCH ? {where} ORDER BY {order} LIMIT 20",
            (expression,),
        ).fetchall()
        (total,) = db.execute(
            f"SELECT count(*) FROM posts WHERE posts MATCH ? {where}", (expression,)
        ).fetchone()
        return int(total) if rows or total else 0

    return run


# --- measuring ---------------------------------------------------------------------------------


def timed(run: Callable[[], int], runs: int) -> tuple[list[float], int]:
    found = run()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


COLD_CHILD = """
import json, os, sys, time
from pathlib import Path
sys.path[:0] = [os.environ["BENCH_FUNCTIONS"]]
from forum import storage
from forum.search.store import Replica
from forum.search.engine import SearchRequest, search
started = time.perf_counter()
replica = Replica(storage.s3(), os.environ["BENCH_BUCKET"], Path(os.environ["BENCH_ROOT"]))
index = replica.current()
fetched = time.perf_counter() - started
for q in json.loads(os.environ["BENCH_QUERIES"]):
    search(index, SearchRequest(q))
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]
print(json.dumps({"seconds": fetched, "bytes": replica.fetched_bytes, "peak_kb": int(hwm)}))
"""


def cold_fetch(directory: Path, queries: list[str], scratch: Path) -> dict[str, float]:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    environment = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "bench",
                   "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1",
                   "AWS_REGION": "us-east-1"}  # fmt: skip
    try:
        os.environ.update({k: v for k, v in environment.items() if k.startswith("AWS_")})
        from forum import storage
        from forum.search import store

        storage.s3.cache_clear()
        s3 = storage.s3()
        s3.create_bucket(Bucket="bench-index")
        started = time.perf_counter()
        store.publish(s3, "bench-index", directory, None)
        published = time.perf_counter() - started
        child = subprocess.run(
            [sys.executable, "-c", COLD_CHILD],
            env={
                **environment,
                "BENCH_FUNCTIONS": str(REPO_ROOT / "functions"),
                "BENCH_BUCKET": "bench-index",
                "BENCH_ROOT": str(scratch / "cold"),
                "BENCH_QUERIES": json.dumps(queries),
            },
            capture_output=True,
            text=True,
            check=True,
        )
        figures: dict[str, float] = json.loads(child.stdout.strip().splitlines()[-1])
        figures["publish_seconds"] = published
        return figures
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    started = time.perf_counter()
    posts = load(args.posts, ROOTS, CACHE)
    text_bytes = sum(len(p.body.encode()) + len(p.title.encode()) for p in posts)
    print(f"corpus: {len(posts):,} posts, {text_bytes / 1e6:,.1f} MB of text "
          f"({time.perf_counter() - started:.0f} s to load)")  # fmt: skip
    rare = rare_word(posts)
    queries = [(name, {**query, "q": str(query["q"]).replace("RARE", rare)},
                expression.replace("RARE", rare), condition)
               for name, query, expression, condition in QUERIES]  # fmt: skip

    scratch = Path(tempfile.mkdtemp(prefix="bench-search-"))
    try:
        tantivy_dir, sqlite_path = scratch / "tantivy", scratch / "fts5.sqlite"
        tantivy_dir.mkdir()
        tantivy_seconds = index_tantivy(posts, tantivy_dir)
        sqlite_seconds = index_sqlite(posts, sqlite_path)
        tantivy_size, sqlite_size = directory_bytes(tantivy_dir), sqlite_path.stat().st_size
        print("\nindexing (one process)          Tantivy        SQLite FTS5")
        print(f"  posts per second         {len(posts) / tantivy_seconds:>12,.0f}  "
              f"{len(posts) / sqlite_seconds:>16,.0f}")  # fmt: skip
        print(
            f"  index size (MB)          {tantivy_size / 1e6:>12,.1f}  {sqlite_size / 1e6:>16,.1f}"
        )
        print(f"  size / corpus text       {tantivy_size / text_bytes:>12.2f}  "
              f"{sqlite_size / text_bytes:>16.2f}")  # fmt: skip

        from forum.search import index as ix

        index = ix.open_index(str(tantivy_dir))
        run_tantivy, run_sqlite = tantivy_runner(index), sqlite_runner(sqlite_path)
        print(f"\nwarm queries, ms (median of {args.runs}; rare word: {rare!r})")
        print(f"  {'query':<34} {'Tantivy':>9} {'matches':>8}   {'FTS5':>9} {'matches':>8}")
        all_tantivy: list[float] = []
        all_sqlite: list[float] = []
        for name, query, expression, condition in queries:
            t_samples, t_found = timed(functools.partial(run_tantivy, query), args.runs)
            s_samples, s_found = timed(
                functools.partial(run_sqlite, expression, condition), args.runs
            )
            all_tantivy += t_samples
            all_sqlite += s_samples
            label = f"{name}: {query['q']}"[:34]
            print(f"  {label:<34} {statistics.median(t_samples):>9.2f} {t_found:>8,}   "
                  f"{statistics.median(s_samples):>9.2f} {s_found:>8,}")  # fmt: skip
        t50, t95 = percentiles(all_tantivy)
        s50, s95 = percentiles(all_sqlite)
        print(f"  {'all queries p50':<34} {t50:>9.2f} {'':>8}   {s50:>9.2f}")
        print(f"  {'all queries p95':<34} {t95:>9.2f} {'':>8}   {s95:>9.2f}")

        cold = cold_fetch(tantivy_dir, [str(q["q"]) for _, q, _, _ in queries], scratch)
        print("\ncold search function (index in a moto S3 server)")
        print(f"  published by the indexer in  {cold['publish_seconds']:.2f} s")
        fetched = cold["bytes"] / 1e6
        print(f"  fetched to /tmp              {fetched:,.1f} MB in {cold['seconds']:.2f} s")
        print(f"  peak memory, fetch + queries {cold['peak_kb'] / 1024:,.0f} MB (VmHWM)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
