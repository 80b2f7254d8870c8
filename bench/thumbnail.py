"""Time and peak memory of making an attachment's thumbnail and display image.

Run from the repository root:

    .venv/bin/python bench/thumbnail.py [--runs N] [--keep DIR]

1. Generates photo-like test images (smooth colour fields, soft-edged shapes, film grain):
   12 MP and 24 MP JPEGs at quality 90 and a 12 MP RGBA PNG, plus two images at the pixel limit
   (50 MP) that still fit in a 10 MB upload, which size the function's memory.
2. For each image, produces both derivatives (display <= 1600 px, thumbnail <= 320 px) with
   a. ``forum.images.process``, the project's pipeline;
   b. pyvips ``thumbnail_buffer`` once per size, single-threaded (VIPS_CONCURRENCY=1, cache off):
      the reference, writing the same formats and quality as the pipeline;
   c. naive Pillow: open, ``exif_transpose``, ``thumbnail``, save, once per size.
3. Peak memory: a fresh process per case imports the method's libraries, warms them up on tiny
   images and runs once; its peak RSS (VmHWM) minus that of a process that only imports and
   warms up is the figure shown (it includes the bytes of the file, held by every method).
   Time: one process per method, the methods taking turns run by run (so that whatever else
   the machine does affects them alike); the median of N runs after one warm-up run.

The targets (issue 4): JPEG 12 MP and 24 MP at most 1.0 times pyvips's time and 0.8 times its
peak memory; PNG at most 1.2 times its time. The exit code is 0 whether or not they are met;
FAIL lines say which are not. pyvips is optional: without it, the script says how to install it
and measures the other two methods. A run takes about 2-4 minutes.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
if str(FUNCTIONS) not in sys.path:
    sys.path.insert(0, str(FUNCTIONS))

THUMB, DISPLAY = 320, 1600
QUALITY = 82  # the pipeline's JPEG and WebP quality, used by every method alike
UPLOAD_LIMIT = 10 * 1024 * 1024
METHODS = ("process", "pyvips", "pillow")
PYVIPS_HINT = (
    "pyvips is not installed: install libvips (Debian: apt-get install libvips42) and then "
    "`.venv/bin/pip install pyvips` to measure the reference."
)


@dataclass(frozen=True)
class Case:
    key: str
    label: str
    make: Callable[[Path], None]
    kind: str  # "jpeg" or "png": which targets apply
    targets: bool = True


# -- test images -------------------------------------------------------------------------------


def _photo(width: int, height: int, seed: int) -> Any:
    """A deterministic photo-like RGB image: soft colour fields, blurred shapes, grain."""
    from PIL import Image, ImageChops, ImageDraw, ImageFilter

    rng = random.Random(seed)
    quarter = (max(1, width // 4), max(1, height // 4))

    def field(cells: tuple[int, int]) -> Any:
        """Smooth random variation: a few random values stretched over the image."""
        return Image.frombytes("L", cells, rng.randbytes(cells[0] * cells[1])).resize(
            quarter, Image.Resampling.BICUBIC
        )

    scene = Image.merge("RGB", [field((6, 4)), field((5, 4)), field((7, 5))])
    draw = ImageDraw.Draw(scene)
    for _ in range(160):
        x, y = rng.randrange(quarter[0]), rng.randrange(quarter[1])
        w, h = rng.randrange(4, quarter[0] // 6 + 5), rng.randrange(4, quarter[1] // 6 + 5)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        shape = rng.randrange(3)
        if shape == 0:
            draw.ellipse((x, y, x + w, y + h), fill=colour)
        elif shape == 1:
            draw.rectangle((x, y, x + w, y + h), fill=colour)
        else:
            draw.line((x, y, x + w, y + h), fill=colour, width=rng.randrange(1, 6))
    # Mid-frequency texture (foliage, fabric) at a quarter of the resolution.
    texture = Image.frombytes("L", quarter, rng.randbytes(quarter[0] * quarter[1]))
    texture = texture.filter(ImageFilter.GaussianBlur(1.2)).point(lambda v: (v - 128) * 1.8 + 128)
    scene = Image.merge(
        "RGB", [ImageChops.add(band, texture, 1.0, -128) for band in scene.split()]
    ).filter(ImageFilter.GaussianBlur(0.8))
    full = scene.resize((width, height), Image.Resampling.BICUBIC)
    del scene
    # Sensor grain at full resolution.
    grain = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    grain = grain.filter(ImageFilter.BoxBlur(1)).point(lambda v: (v - 128) * 0.6 + 128)
    return Image.merge("RGB", [ImageChops.add(band, grain, 1.0, -128) for band in full.split()])


def _vignette_alpha(width: int, height: int) -> Any:
    """An alpha band: opaque in the middle, fading out to transparent corners."""
    from PIL import Image

    radial = Image.radial_gradient("L").resize((width, height), Image.Resampling.BICUBIC)
    return radial.point(lambda v: 255 if v < 150 else max(0, 255 - (v - 150) * 3))


def make_jpeg(width: int, height: int, seed: int, quality: int = 90) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        _photo(width, height, seed).save(path, "JPEG", quality=quality)

    return make


def make_rgba_png(width: int, height: int, seed: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        im = _photo(width, height, seed)
        im.putalpha(_vignette_alpha(width, height))
        im.save(path, "PNG")

    return make


def make_graphic_png(width: int, height: int, seed: int) -> Callable[[Path], None]:
    """A large flat-coloured RGBA drawing (a poster, a screenshot): many pixels, few bytes."""

    def make(path: Path) -> None:
        from PIL import Image, ImageDraw

        rng = random.Random(seed)
        im = Image.new("RGBA", (width, height), (250, 248, 240, 255))
        draw = ImageDraw.Draw(im)
        for _ in range(400):
            x, y = rng.randrange(width), rng.randrange(height)
            w, h = rng.randrange(20, width // 5), rng.randrange(20, height // 5)
            colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256), 255)
            draw.rectangle((x, y, x + w, y + h), fill=colour)
        im.putalpha(_vignette_alpha(width, height))
        im.save(path, "PNG")

    return make


CASES = (
    Case("jpeg12", "JPEG 12 MP 4000x3000", make_jpeg(4000, 3000, 12), "jpeg"),
    Case("jpeg24", "JPEG 24 MP 6000x4000", make_jpeg(6000, 4000, 24), "jpeg"),
    Case("png12", "PNG RGBA 12 MP 4000x3000", make_rgba_png(4000, 3000, 13), "png"),
    Case(
        "jpeg50",
        "JPEG 50 MP 8660x5773 (limit)",
        make_jpeg(8660, 5773, 50, quality=70),
        "jpeg",
        targets=False,
    ),
    Case(
        "png50",
        "PNG RGBA 50 MP 8660x5773 (limit)",
        make_graphic_png(8660, 5773, 51),
        "png",
        targets=False,
    ),
)


# -- the methods, run inside a worker process --------------------------------------------------


Runner = Callable[[bytes], tuple[bytes, bytes]]


def _load_libraries(method: str) -> tuple[Runner, list[bytes]]:
    """Import what ``method`` needs; a function that makes both derivatives, and a small JPEG and
    RGBA PNG made with the same library, to warm it up."""
    if method == "pyvips":
        return _load_pyvips()

    from PIL import Image, ImageOps

    Image.init()
    tiny = []
    for mode, fmt in (("RGB", "JPEG"), ("RGBA", "PNG")):
        buf = io.BytesIO()
        Image.new(mode, (64, 48), (90, 120, 150, 200)[: len(mode)]).save(buf, fmt)
        tiny.append(buf.getvalue())

    if method == "process":
        from forum import images

        def run_process(data: bytes) -> tuple[bytes, bytes]:
            derived = images.process(data, max_bytes=len(data))
            return derived.thumb, derived.display

        return run_process, tiny

    def run_pillow(data: bytes) -> tuple[bytes, bytes]:
        out = []
        for size in (THUMB, DISPLAY):
            im: Image.Image = Image.open(io.BytesIO(data))
            im = ImageOps.exif_transpose(im)
            im.thumbnail((size, size))
            buf = io.BytesIO()
            if im.mode == "RGBA":
                im.save(buf, "WEBP", quality=QUALITY)
            else:
                im.convert("RGB").save(buf, "JPEG", quality=QUALITY, optimize=True)
            out.append(buf.getvalue())
        return out[0], out[1]

    return run_pillow, tiny


def _load_pyvips() -> tuple[Runner, list[bytes]]:
    import pyvips

    pyvips.cache_set_max(0)  # no cached results between runs

    def run_pyvips(data: bytes) -> tuple[bytes, bytes]:
        out = []
        for size in (THUMB, DISPLAY):
            im = pyvips.Image.thumbnail_buffer(data, size, height=size, size="down")
            if im.hasalpha():
                out.append(im.webpsave_buffer(Q=QUALITY, strip=True))
            else:
                out.append(im.jpegsave_buffer(Q=QUALITY, optimize_coding=True, strip=True))
        return out[0], out[1]

    rgb = pyvips.Image.black(64, 48, bands=3).copy(interpretation="srgb") + 90
    rgba = rgb.bandjoin(200)
    return run_pyvips, [rgb.jpegsave_buffer(), rgba.pngsave_buffer()]


def worker(method: str, path: str | None, timing: bool) -> None:
    """Measure one method in this (fresh) process, after a warm-up on tiny images (the first use
    of each code path loads code and tables, which is not the cost of an image).

    Without ``path``, print the peak RSS of the warm-up alone: the baseline. With ``path``, run
    once and print the peak RSS; with ``timing`` as well, run once for every line read from
    stdin instead and print each run's wall and CPU seconds, until stdin closes.
    """
    run, tiny_images = _load_libraries(method)
    for tiny in tiny_images:
        run(tiny)
    if path is None:
        print(json.dumps({"peak_mb": _peak_rss_mb()}))
        return
    data = Path(path).read_bytes()
    if not timing:
        run(data)
        print(json.dumps({"peak_mb": _peak_rss_mb()}))
        return
    for _ in sys.stdin:
        start, cpu = time.perf_counter(), time.process_time()
        run(data)
        print(time.perf_counter() - start, time.process_time() - cpu, flush=True)


def _peak_rss_mb() -> float:
    """This process's peak resident set size. Linux's VmHWM starts afresh at exec; ru_maxrss
    would also count the parent's size at fork, which the child inherits."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the driver --------------------------------------------------------------------------------


def _command(method: str, path: Path | None, timing: bool = False) -> list[str]:
    command = [sys.executable, __file__, "--worker", method]
    if path is not None:
        command += ["--file", str(path)]
    if timing:
        command.append("--timing")
    return command


_ENV = {**os.environ, "VIPS_CONCURRENCY": "1", "PYTHONHASHSEED": "0"}


def _peak(method: str, path: Path | None) -> float | None:
    """Peak RSS in MB of a fresh process that runs ``method`` once on ``path``."""
    done = subprocess.run(
        _command(method, path), env=_ENV, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        print(f"  {method} failed: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result["peak_mb"]


def _times(methods: list[str], path: Path, runs: int) -> dict[str, list[tuple[float, float]]]:
    """Wall and CPU seconds per run of each method, the methods taking turns (one warm-up run
    each first), so that whatever else the machine does affects them alike."""
    workers = {
        m: subprocess.Popen(
            _command(m, path, timing=True),
            env=_ENV,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for m in methods
    }
    times: dict[str, list[tuple[float, float]]] = {m: [] for m in methods}
    try:
        for round_ in range(runs + 1):
            for method, process in workers.items():
                assert process.stdin is not None and process.stdout is not None
                process.stdin.write("run\n")
                process.stdin.flush()
                line = process.stdout.readline()
                if not line:
                    raise RuntimeError(f"the {method} worker stopped")
                if round_ > 0:
                    wall, cpu = line.split()
                    times[method].append((float(wall), float(cpu)))
    finally:
        for process in workers.values():
            if process.stdin is not None:
                process.stdin.close()
            process.wait()
    return times


def _have_pyvips() -> bool:
    done = subprocess.run(
        [sys.executable, "-c", "import pyvips; pyvips.Image.black(1, 1)"],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def _lambda_memory(peak_rss_mb: float) -> int:
    """Twice the worst peak RSS (Python and the libraries included: headroom for boto3, the
    Powertools and the S3 body), rounded up to 128 MB, and never under 512 MB (CPU share)."""
    return max(512, math.ceil(peak_rss_mb * 2 / 128) * 128)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per case (median)")
    parser.add_argument("--keep", type=Path, help="make the test images here and keep them")
    parser.add_argument("--worker", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--timing", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.file, args.timing)
        return

    methods = list(METHODS)
    if not _have_pyvips():
        print(PYVIPS_HINT)
        methods.remove("pyvips")

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"Test images in {folder}:")
        paths: dict[str, Path] = {}
        for case in CASES:
            path = folder / f"{case.key}.{case.kind}"
            if not path.exists():
                start = time.perf_counter()
                case.make(path)
                made = f"made in {time.perf_counter() - start:.1f} s"
            else:
                made = "kept"
            paths[case.key] = path
            print(f"  {case.label:34} {path.stat().st_size / 1e6:6.1f} MB  ({made})")

        baselines = {m: _peak(m, None) or 0.0 for m in methods}
        print("Baseline RSS (interpreter + libraries, warmed up; subtracted below): ", end="")
        print(", ".join(f"{m} {mb:.0f} MB" for m, mb in baselines.items()))
        print()

        results: dict[tuple[str, str], Result] = {}
        for case in CASES:
            times = _times(methods, paths[case.key], args.runs)
            for method in methods:
                peak = _peak(method, paths[case.key])
                if peak is None:
                    continue
                results[case.key, method] = Result(
                    wall_ms=statistics.median(wall for wall, _ in times[method]) * 1000,
                    cpu_ms=statistics.median(cpu for _, cpu in times[method]) * 1000,
                    peak_mb=peak - baselines[method],
                    rss_mb=peak,
                )

    _report(results, methods)


@dataclass(frozen=True)
class Result:
    wall_ms: float  # median
    cpu_ms: float  # median, all threads
    peak_mb: float  # peak RSS above the warmed-up baseline
    rss_mb: float  # peak RSS of the whole process


def _report(results: dict[tuple[str, str], Result], methods: list[str]) -> None:
    header = (
        f"{'image':34} {'method':8} {'time ms':>8} {'cpu ms':>7} {'peak MB':>8}"
        f" {'x time':>7} {'x mem':>7}"
    )
    print(header)
    print("-" * len(header))
    failures: list[str] = []
    for case in CASES:
        reference = results.get((case.key, "pyvips"))
        for method in methods:
            result = results.get((case.key, method))
            if result is None:
                continue
            ratio_t = ratio_m = ""
            if reference is not None:
                ratio_t = f"{result.wall_ms / reference.wall_ms:.2f}"
                ratio_m = f"{result.peak_mb / reference.peak_mb:.2f}" if reference.peak_mb else ""
            print(
                f"{case.label:34} {method:8} {result.wall_ms:8.0f} {result.cpu_ms:7.0f}"
                f" {result.peak_mb:8.0f} {ratio_t:>7} {ratio_m:>7}"
            )
            if method == "process" and reference is not None and case.targets:
                failures += _check(
                    case,
                    result.wall_ms / reference.wall_ms,
                    result.peak_mb / max(reference.peak_mb, 1e-9),
                )
        print()
    print("time: median wall time; cpu: median CPU time of all threads; x: ratio to pyvips.")

    for failure in failures:
        print("FAIL", failure)
    if "pyvips" in methods:
        if not failures:
            print("All targets met (JPEG <= 1.0x time and <= 0.8x memory, PNG <= 1.2x time).")
    else:
        print("Targets not checked: no pyvips reference.")

    ours = [(c.key, results[c.key, "process"]) for c in CASES if (c.key, "process") in results]
    if not ours:
        return
    worst_key, worst = max(ours, key=lambda item: item[1].rss_mb)
    memory = _lambda_memory(worst.rss_mb)
    print(
        f"Recommended memory for the thumbnail function: {memory} MB "
        f"(worst case {worst_key}: {worst.rss_mb:.0f} MB peak RSS of the whole process)."
    )
    print(f"Rule: {' '.join((_lambda_memory.__doc__ or '').split())}")


def _check(case: Case, time_ratio: float, memory_ratio: float) -> list[str]:
    out = []
    if case.kind == "jpeg":
        if time_ratio > 1.0:
            out.append(f"{case.label}: time {time_ratio:.2f}x pyvips (target <= 1.0x)")
        if memory_ratio > 0.8:
            out.append(f"{case.label}: peak memory {memory_ratio:.2f}x pyvips (target <= 0.8x)")
    elif time_ratio > 1.2:
        out.append(f"{case.label}: time {time_ratio:.2f}x pyvips (target <= 1.2x)")
    return out


if __name__ == "__main__":
    main()
