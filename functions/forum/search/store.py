"""The index in S3: immutable files and one small manifest that says which of them make it.

Layout of the search bucket::

    index/manifest.json   {"generation", "meta" (Tantivy's meta.json, as text), "files"
                          {name: size}, "retired" {name: epoch seconds}, "published_at"}
    index/files/{name}    a segment file, written once and never changed

Tantivy never rewrites a segment file (a merge writes a new segment; deletes are a new
``{segment}.{opstamp}.del`` file), so every file but ``meta.json`` is immutable, and
``meta.json`` travels inside the manifest. A reader (``Replica``) reads the manifest with
``If-None-Match`` on every warm invocation: a 304 costs one small request and nothing else;
a new manifest costs the files it names that the function's ``/tmp`` lacks. Each generation is
opened from a directory of its own (hard links into a shared file cache plus its meta.json),
so a new generation never changes files an open index still reads.

The one writer (``forum.search.lease``) publishes with ``If-Match`` on the manifest it started
from (``If-None-Match: *`` for the first): a writer that lost its lease can never overwrite a
newer index. Files a new manifest no longer names are "retired" with the time, and deleted
from S3 only ``RETIRE_SECONDS`` later, long after any reader that read the old manifest has
fetched them (a search function runs for seconds).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy

from . import FILES_PREFIX, MANIFEST_KEY
from . import index as ix

__all__ = ["FILES_PREFIX", "MANIFEST_KEY", "LostRace", "Manifest", "Replica", "publish"]
META = "meta.json"
RETIRE_SECONDS = 3600
FETCH_THREADS = 8


class LostRace(Exception):
    """Another writer published since this one read the manifest: nothing was published."""


@dataclass(frozen=True)
class Manifest:
    generation: int
    meta: str
    files: dict[str, int]
    retired: dict[str, float] = field(default_factory=dict)
    published_at: float = 0.0

    def encode(self) -> bytes:
        return json.dumps(
            {
                "generation": self.generation,
                "meta": self.meta,
                "files": self.files,
                "retired": self.retired,
                "published_at": self.published_at,
            },
            separators=(",", ":"),
        ).encode()

    @classmethod
    def decode(cls, data: bytes) -> Manifest:
        fields = json.loads(data)
        return cls(
            generation=int(fields["generation"]),
            meta=str(fields["meta"]),
            files={str(name): int(size) for name, size in fields["files"].items()},
            retired={str(name): float(at) for name, at in fields.get("retired", {}).items()},
            published_at=float(fields.get("published_at", 0)),
        )


def _error_code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _status(error: Exception) -> int:
    response = getattr(error, "response", None) or {}
    return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def read_manifest(s3: Any, bucket: str, etag: str | None = None) -> tuple[Manifest, str] | None:
    """The manifest and its ETag; None when there is none yet. With ``etag``, raises
    ``NotModified`` when the manifest is still that one."""
    arguments: dict[str, Any] = {"Bucket": bucket, "Key": MANIFEST_KEY}
    if etag:
        arguments["IfNoneMatch"] = etag
    try:
        response = s3.get_object(**arguments)
    except Exception as error:
        if _status(error) == 304 or _error_code(error) in {"304", "NotModified"}:
            raise NotModified from None
        if _error_code(error) in {"NoSuchKey", "404"}:
            return None
        raise
    return Manifest.decode(response["Body"].read()), str(response["ETag"])


class NotModified(Exception):
    """The manifest is the one already held."""


def live_files(directory: Path) -> dict[str, int]:
    """The files of the index in ``directory`` that its meta.json names, with their sizes."""
    meta = json.loads((directory / META).read_text())
    wanted: dict[str, str | None] = {}
    for segment in meta["segments"]:
        deletes = segment.get("deletes")
        wanted[segment["segment_id"].replace("-", "")] = (
            f"{deletes['opstamp']}" if deletes else None
        )
    files = {}
    for entry in directory.iterdir():
        segment, _, rest = entry.name.partition(".")
        if segment not in wanted:
            continue
        if rest.endswith(".del") and rest != f"{wanted[segment]}.del":
            continue
        files[entry.name] = entry.stat().st_size
    return files


def _fetch(s3: Any, bucket: str, names: list[str], cache: Path) -> None:
    def one(name: str) -> None:
        partial = cache / f".{name}.part"
        response = s3.get_object(Bucket=bucket, Key=FILES_PREFIX + name)
        with partial.open("wb") as out:
            shutil.copyfileobj(response["Body"], out, 1 << 20)
        partial.rename(cache / name)

    with ThreadPoolExecutor(max_workers=FETCH_THREADS) as pool:
        list(pool.map(one, names))


def materialize(s3: Any, bucket: str, manifest: Manifest, root: Path, name: str) -> Path:
    """A directory ``root/name`` holding the manifest's index: files it lacks are fetched into
    ``root/files`` (the cache of every generation), then hard-linked, and meta.json written."""
    cache = root / "files"
    cache.mkdir(parents=True, exist_ok=True)
    _fetch(s3, bucket, [name for name in manifest.files if not (cache / name).exists()], cache)
    target = root / name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for file_name in manifest.files:
        os.link(cache / file_name, target / file_name)
    (target / META).write_text(manifest.meta)
    return target


def prune_cache(root: Path, manifest: Manifest) -> None:
    """Drop cached files the manifest no longer names (open generations keep their links)."""
    cache = root / "files"
    if cache.is_dir():
        for entry in cache.iterdir():
            if entry.name not in manifest.files:
                entry.unlink(missing_ok=True)


class Replica:
    """A search function's copy of the index in ``/tmp``, brought up to date on each call."""

    def __init__(self, s3: Any, bucket: str, root: Path) -> None:
        self.s3, self.bucket, self.root = s3, bucket, root
        self.etag: str | None = None
        self.generation: int | None = None
        self.index: tantivy.Index | None = None
        self.fetched_bytes = 0

    def current(self) -> tantivy.Index:
        """The newest published index (an empty one before the first is published)."""
        try:
            found = read_manifest(self.s3, self.bucket, self.etag if self.index else None)
        except NotModified:
            assert self.index is not None
            return self.index
        if found is None:
            if self.index is None:
                self.index = ix.open_index()
            return self.index
        manifest, etag = found
        cache = self.root / "files"
        self.fetched_bytes += sum(
            size for name, size in manifest.files.items() if not (cache / name).exists()
        )
        previous = self.generation
        directory = materialize(
            self.s3, self.bucket, manifest, self.root, f"g{manifest.generation}"
        )
        self.index = ix.open_index(str(directory))
        self.etag, self.generation = etag, manifest.generation
        prune_cache(self.root, manifest)
        if previous is not None and previous != manifest.generation:
            shutil.rmtree(self.root / f"g{previous}", ignore_errors=True)
        return self.index


def publish(
    s3: Any,
    bucket: str,
    directory: Path,
    previous: tuple[Manifest, str] | None,
    now: float | None = None,
) -> tuple[Manifest, str]:
    """Upload the committed index in ``directory`` as the next generation. Files are uploaded
    first, the manifest last and only if it is still ``previous`` (LostRace otherwise); files
    retired long enough ago are deleted after it."""
    moment = time.time() if now is None else now
    files = live_files(directory)
    before = previous[0] if previous else None
    known = before.files if before else {}
    new = [name for name in files if name not in known]
    with ThreadPoolExecutor(max_workers=FETCH_THREADS) as pool:
        list(
            pool.map(
                lambda name: s3.put_object(
                    Bucket=bucket, Key=FILES_PREFIX + name, Body=(directory / name).read_bytes()
                ),
                new,
            )
        )
    retired = dict(before.retired) if before else {}
    retired.update({name: moment for name in known if name not in files})
    expired = [
        name for name, at in retired.items() if moment - at >= RETIRE_SECONDS and name not in files
    ]
    for name in expired:
        del retired[name]
    manifest = Manifest(
        generation=(before.generation + 1) if before else 1,
        meta=(directory / META).read_text(),
        files=files,
        retired=retired,
        published_at=moment,
    )
    condition = {"IfMatch": previous[1]} if previous else {"IfNoneMatch": "*"}
    try:
        response = s3.put_object(
            Bucket=bucket,
            Key=MANIFEST_KEY,
            Body=manifest.encode(),
            ContentType="application/json",
            **condition,
        )
    except Exception as error:
        if _status(error) in {409, 412} or _error_code(error) in {
            "PreconditionFailed",
            "ConditionalRequestConflict",
        }:
            raise LostRace(str(error)) from None
        raise
    for start in range(0, len(expired), 1000):
        s3.delete_objects(
            Bucket=bucket,
            Delete={
                "Objects": [{"Key": FILES_PREFIX + name} for name in expired[start : start + 1000]]
            },
        )
    return manifest, str(response["ETag"])
