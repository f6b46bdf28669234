"""A site to keep in a bucket, for the content tests: nested folders, text and binary files, a
precompressed ``.br`` sibling, and (when asked) one large file that goes up in parts."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

BUCKET = "content-site-bucket"
CDN = "site-cdn"
LARGE = "downloads/big.bin"
LARGE_SIZE = 40 * 1024 * 1024


def make_site(
    root: Path, *, files: int = 300, large: bool = True, seed: int = 7
) -> dict[str, bytes]:
    """``files`` files below ``root`` (html pages, css and js assets, png images, one
    ``.br`` sibling; with ``large``, one 40 MB file among them); their bytes by path."""
    rng = random.Random(seed)
    found: dict[str, bytes] = {
        "index.html": b"<!doctype html><h1>home</h1><script src=/assets/app.js></script>",
        "assets/app.js": b"console.log('app');\n" * 40,
        "assets/app.js.br": bytes(rng.randrange(256) for _ in range(300)),
        "docs/index.html": b"<!doctype html><h1>docs</h1>",
    }
    if large:
        found[LARGE] = rng.randbytes(LARGE_SIZE)
    kinds = [
        ("docs/guide/page{n}.html", lambda n: f"<p>page {n}</p>".encode()),
        ("assets/css/s{n}.css", lambda n: f".c{n}{{color:red}}".encode()),
        ("assets/img/i{n}.png", lambda n: b"\x89PNG\r\n\x1a\n" + rng.randbytes(200 + n)),
        ("blog/{y}/post{n}.html", lambda n: f"<article>{n}</article>".encode()),
    ]
    n = 0
    while len(found) < files:
        pattern, body = kinds[n % len(kinds)]
        found[pattern.format(n=n, y=2020 + n % 4)] = body(n)
        n += 1
    for path, body in found.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    return found


DEFAULT_RULES = [
    '{match: "assets/**", cache_control: "public, max-age=31536000, immutable"}',
    '{match: "docs/**", cache_control: "public, max-age=300", metadata: {section: docs}}',
    '{match: "**/*.html", cache_control: "public, max-age=60"}',
]


def site_spec(
    *, extra: list[str] = (), rules: list[str] | None = None, bucket: list[str] = ()
) -> str:
    """A spec of the site's bucket, its distribution and the content (``source: ./public``);
    ``extra``: more lines of the content entry, ``bucket``: of the bucket."""
    lines = [
        "version: 1",
        "stack: site-stack",
        "buckets:",
        f"  {BUCKET}:",
        "    website: {index_document: index.html}",
        *(f"    {line}" for line in bucket),
        "distributions:",
        f"  {CDN}:",
        "    comment: the site",
        "    default_root_object: index.html",
        f"    origins: [{{id: site, bucket: {BUCKET}}}]",
        "    default_cache_behavior:",
        "      target_origin: site",
        "      viewer_protocol_policy: redirect-to-https",
        "      cache_policy_id: 658327ea-f89d-4fab-a63d-7e88639e58f6",
        "content:",
        "  site:",
        f"    bucket: {BUCKET}",
        "    source: ./public",
        "    delete: true",
        f"    invalidate: {CDN}",
        '    content_types: {".webmanifest": application/manifest+json}',
        *(f"    {line}" for line in extra),
        "    headers:",
        *(f"      - {rule}" for rule in (DEFAULT_RULES if rules is None else rules)),
    ]
    return "\n".join(lines) + "\n"


@contextmanager
def requests_logged(caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """The requests the client sends meanwhile, as ``METHOD PATH?QUERY`` (its debug log)."""
    found: list[str] = []
    with caplog.at_level(logging.DEBUG, logger="reconciler.aws"):
        start = len(caplog.records)
        yield found
        found += [
            r.getMessage().split(" -> ")[0]
            for r in caplog.records[start:]
            if r.name == "reconciler.aws" and " -> " in r.getMessage()
        ]
