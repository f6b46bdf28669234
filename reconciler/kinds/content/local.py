"""The source directory as the plan sees it: every file below it (less the ``exclude`` globs),
with its size and the SHA-256 of its bytes, read on a few threads at once (hashing releases the
interpreter's lock, and most of the time of many small files is the system's).

A file's path is its path below the source with ``/`` between parts. What cannot be a key
(a name that is not UTF-8, a key over S3's 1,024 bytes, a directory reached through a symbolic
link, which is not followed) and what cannot be read are the content's problems, each named.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.kinds.content import globs

#: How much of a file is read at once while hashing it.
CHUNK = 1 << 20
#: S3's longest key, in UTF-8 bytes.
MAX_KEY_BYTES = 1024
#: The threads that read and hash files.
WORKERS = 8


@dataclass(frozen=True)
class LocalFile:
    size: int
    sha256: str


@dataclass(frozen=True)
class LocalTree:
    """The source's files by path; ``problems``: why some could not be taken, each naming the
    file; ``missing``: the source is not a directory (why)."""

    files: dict[str, LocalFile] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    missing: str | None = None


def file_digest(path: str | Path) -> tuple[int, str]:
    """A file's size and SHA-256 (hex), read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _walk(root: str, problems: list[str]) -> Iterator[tuple[str, str]]:
    """(path, file name on disk) of every regular file below ``root``."""
    for folder, dirs, files in os.walk(root, onerror=lambda e: problems.append(_why(e, root))):
        for name in sorted(dirs):
            if os.path.islink(os.path.join(folder, name)):
                problems.append(
                    f"{_relative(os.path.join(folder, name), root)}: a symbolic link to a "
                    "directory is not followed"
                )
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(folder, name)
            yield _relative(full, root), full


def _relative(full: str, root: str) -> str:
    return Path(os.path.relpath(full, root)).as_posix()


def _why(error: OSError, root: str) -> str:
    where = _relative(error.filename, root) if error.filename else root
    return f"{where}: cannot be read ({error.strerror or error.__class__.__name__})"


def _key_problem(path: str, prefix: str) -> str | None:
    try:
        encoded = (prefix + path).encode("utf-8")
    except UnicodeEncodeError:
        return f"{path.encode('utf-8', 'replace').decode()}: its name is not UTF-8"
    if len(encoded) > MAX_KEY_BYTES:
        return f"{path[:60]}...: its key is longer than S3's {MAX_KEY_BYTES} bytes"
    if any(ord(c) < 32 or ord(c) == 127 for c in path):
        return f"{path!r}: its name holds a control character"
    return None


def scan(source: str, *, prefix: str, exclude: list[str], reserved: str) -> LocalTree:
    """The files of ``source`` not matching ``exclude``; a path below ``reserved`` (where
    the manifest lives) is a problem."""
    if not os.path.isdir(source):
        why = "does not exist" if not os.path.exists(source) else "is not a directory"
        return LocalTree(missing=f"source {source} {why}")
    problems: list[str] = []
    found: list[tuple[str, str]] = []
    for path, full in _walk(source, problems):
        if globs.first(exclude, path) is not None:
            continue
        problem = _key_problem(path, prefix)
        if problem is None and (prefix + path).startswith(reserved):
            problem = f"{path}: keys below {reserved} are where the reconciler keeps manifests"
        if problem is not None:
            problems.append(problem)
            continue
        found.append((path, full))

    def read(item: tuple[str, str]) -> tuple[str, LocalFile | str]:
        path, full = item
        try:
            size, sha = file_digest(full)
        except OSError as exc:
            return path, f"{path}: cannot be read ({exc.strerror or exc.__class__.__name__})"
        return path, LocalFile(size, sha)

    files: dict[str, LocalFile] = {}
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for path, result in pool.map(read, found):
            if isinstance(result, str):
                problems.append(result)
            else:
                files[path] = result
    return LocalTree(files=files, problems=tuple(problems))
