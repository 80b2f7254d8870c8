"""Build the Lambda dependency layer without Docker.

Installs ``layers/requirements.txt`` as arm64 / CPython 3.13 wheels into ``layers/dist/python``
(the directory the Lambda runtime puts on ``sys.path``), leaves out what the runtime already has
(boto3 and botocore), strips tests and caches, and compiles bytecode for Python 3.13 when such an
interpreter is available, so that cold starts do not compile every module.

The build is incremental: ``layers/dist/.stamp`` holds a hash of the requirements (and of the
install options); when it matches, the install is skipped (and only missing bytecode is added).

Run it as ``.venv/bin/python layers/build.py`` (``--force`` rebuilds from scratch).

A second layer, only for the search functions, holds Tantivy (``layers/search-requirements.txt``
into ``layers/dist-search/python``): a 17 MB native module that no other function loads. Both are
built by the same command, each with its own stamp.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

LAYERS_DIR = Path(__file__).resolve().parent
REQUIREMENTS = LAYERS_DIR / "requirements.txt"
BUILD_DIR = LAYERS_DIR / "dist"
TARGET_DIR = BUILD_DIR / "python"
STAMP = BUILD_DIR / ".stamp"

PYTHON_VERSION = "3.13"
PLATFORMS = ("manylinux_2_28_aarch64", "manylinux2014_aarch64")
# The Lambda runtime ships these; a second copy only makes the layer bigger and older.
RUNTIME_PROVIDED = ("boto3", "botocore")
# Directory names never needed at run time.
JUNK_DIRS = frozenset({"__pycache__", "tests"})
# Set to an interpreter path to compile bytecode with it instead of ``python3.13`` on PATH.
INTERPRETER_ENV = "LAYER_PYTHON313"


@dataclass(frozen=True)
class Layer:
    name: str
    requirements: Path
    build_dir: Path

    @property
    def target(self) -> Path:
        return self.build_dir / "python"

    @property
    def stamp(self) -> Path:
        return self.build_dir / ".stamp"


DEPENDENCIES = Layer("dependencies", REQUIREMENTS, BUILD_DIR)
SEARCH = Layer("search", LAYERS_DIR / "search-requirements.txt", LAYERS_DIR / "dist-search")
LAYERS = (DEPENDENCIES, SEARCH)


def pip_command(target: Path, requirements: Path = REQUIREMENTS) -> list[str]:
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += ["--no-compile", "--only-binary=:all:"]
    for platform in PLATFORMS:
        command += ["--platform", platform]
    command += ["--python-version", PYTHON_VERSION, "--implementation", "cp"]
    command += ["--target", str(target), "-r", str(requirements)]
    return command


def requirements_hash(layer: Layer = DEPENDENCIES) -> str:
    digest = hashlib.sha256(layer.requirements.read_bytes())
    # A change of target platform or Python version must rebuild as well.
    digest.update(" ".join((PYTHON_VERSION, *PLATFORMS, *RUNTIME_PROVIDED)).encode())
    return digest.hexdigest()


def read_stamp(layer: Layer = DEPENDENCIES) -> tuple[str, bool]:
    """(requirements hash, whether bytecode was compiled) of the last build; empty if none."""
    if not layer.stamp.is_file():
        return "", False
    digest, _, bytecode = layer.stamp.read_text().strip().partition(" ")
    return digest, bytecode == "bytecode"


def write_stamp(digest: str, bytecode: bool, layer: Layer = DEPENDENCIES) -> None:
    layer.stamp.write_text(f"{digest} {'bytecode' if bytecode else 'source-only'}\n")


def is_up_to_date(expected: str, layer: Layer = DEPENDENCIES) -> bool:
    return layer.target.is_dir() and read_stamp(layer)[0] == expected


def remove_runtime_provided(target: Path) -> None:
    """Delete boto3/botocore if a dependency pulled them in (with their dist-info)."""
    for entry in target.iterdir():
        name = entry.name.lower()
        for package in RUNTIME_PROVIDED:
            if name == package or (name.startswith(f"{package}-") and name.endswith(".dist-info")):
                shutil.rmtree(entry)
                print(f"removed {entry.name} (the Lambda runtime provides it)")
                break


def remove_junk(target: Path) -> None:
    """Remove console scripts, test suites and stray caches; they are dead weight in the layer."""
    shutil.rmtree(target / "bin", ignore_errors=True)
    for path in sorted(target.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and path.name in JUNK_DIRS and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        elif path.is_file() and path.suffix in {".pyc", ".pyo"}:
            path.unlink()


def find_interpreter() -> list[str] | None:
    """A working Python 3.13 to compile bytecode with, or None.

    A name on PATH can be a shim that exists but does not run (pyenv without that version
    selected), so the interpreter is asked for its version before it is trusted.
    """
    candidates: list[str] = []
    if os.environ.get(INTERPRETER_ENV):
        candidates.append(os.environ[INTERPRETER_ENV])
    on_path = shutil.which(f"python{PYTHON_VERSION}")
    if on_path:
        candidates.append(on_path)
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += [
        str(p) for p in sorted(pyenv_root.glob(f"versions/{PYTHON_VERSION}.*/bin/python3"))
    ]
    for candidate in candidates:
        try:
            result = subprocess.run(
                [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except OSError:
            continue
        if result.returncode == 0 and result.stdout.strip() == PYTHON_VERSION:
            return [candidate]
    return None


def compile_bytecode(target: Path) -> bool:
    interpreter = find_interpreter()
    if interpreter is None:
        print(
            f"note: no working python{PYTHON_VERSION} found (set {INTERPRETER_ENV} to one); "
            "the layer ships without bytecode and cold starts will compile its modules"
        )
        return False
    # Timestamp-checked bytecode would go stale when the asset zip resets file times, and the
    # layer is read-only on Lambda: record the source hash instead and trust it unchecked.
    subprocess.run(
        [
            *interpreter,
            "-m",
            "compileall",
            "-q",
            "-j0",
            "--invalidation-mode",
            "unchecked-hash",
            str(target),
        ],
        check=True,
    )
    print(f"compiled bytecode with {interpreter[0]}")
    return True


def build(force: bool = False, layer: Layer = DEPENDENCIES) -> Path:
    expected = requirements_hash(layer)
    target = layer.target
    if not force and is_up_to_date(expected, layer):
        # A layer built where no Python 3.13 was found gets its bytecode once one is.
        if not read_stamp(layer)[1] and find_interpreter() is not None:
            write_stamp(expected, compile_bytecode(target), layer)
        print(f"layer up to date: {target.relative_to(LAYERS_DIR.parent)}")
        return target
    if layer.build_dir.exists():
        shutil.rmtree(layer.build_dir)
    target.mkdir(parents=True)
    print(f"installing {layer.requirements.name} for cp{PYTHON_VERSION} arm64 into {target}")
    subprocess.run(pip_command(target, layer.requirements), check=True)
    remove_runtime_provided(target)
    remove_junk(target)
    write_stamp(expected, compile_bytecode(target), layer)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument(
        "--only", choices=[layer.name for layer in LAYERS], help="build only this layer"
    )
    args = parser.parse_args(argv)
    for layer in LAYERS:
        if args.only in (None, layer.name):
            build(force=args.force, layer=layer)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
