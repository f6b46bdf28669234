"""The content kind's pure units: globs, media types, headers, the invalidation planner, the
manifest read back as untrusted input, and the offline rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.errors import ConfigError
from reconciler.kinds.content import globs, headers, invalidation, manifest, media
from reconciler.kinds.content.model import Content
from tests.reconcile import spec_file


@pytest.mark.parametrize(
    ("pattern", "path", "matched"),
    [
        ("**/*.html", "index.html", True),
        ("**/*.html", "a/b/c.html", True),
        ("**/*.html", "a/b/c.htm", False),
        ("assets/**", "assets/app.js", True),
        ("assets/**", "assets/img/x.png", True),
        ("assets/**", "assets", False),
        ("assets/**", "other/assets/x", False),
        ("*.css", "site.css", True),
        ("*.css", "a/site.css", False),
        ("a/**/b.txt", "a/b.txt", True),
        ("a/**/b.txt", "a/x/y/b.txt", True),
        ("page?.html", "page1.html", True),
        ("page[0-3].html", "page4.html", False),
        ("page[!0-3].html", "page4.html", True),
        ("(x).js", "(x).js", True),
    ],
)
def test_globs(pattern: str, path: str, matched: bool) -> None:
    assert globs.problem(pattern) is None
    assert globs.matches(pattern, path) is matched


@pytest.mark.parametrize("pattern", ["", "/abs", "a**/b", "[abc"])
def test_a_bad_glob_says_why(pattern: str) -> None:
    assert globs.problem(pattern)


def test_media_types_with_charset_and_overrides() -> None:
    assert media.media_type("a/app.js") == "text/javascript; charset=utf-8"
    assert media.media_type("f.woff2") == "font/woff2"
    assert media.media_type("i.SVG") == "image/svg+xml; charset=utf-8"
    assert media.media_type("x.png") == "image/png"
    assert media.media_type("noext") == "application/octet-stream"
    assert media.media_type("m.webmanifest", {".webmanifest": "application/x"}) == "application/x"
    assert media.precompressed("app.js.br", {"app.js", "app.js.br"}) == ("app.js", "br")
    assert media.precompressed("dump.tar.gz", {"dump.tar.gz"}) is None  # a download, not a sibling


def test_headers_first_rule_wins_and_siblings_keep_their_type() -> None:
    content = Content.model_validate(
        {
            "bucket": "b",
            "source": ".",
            "headers": [
                {
                    "match": "assets/**",
                    "cache_control": "immutable",
                    "metadata": {"b": "2", "a": "1"},
                },
                {"match": "**/*", "cache_control": "short"},
            ],
        }
    )
    paths = frozenset({"assets/app.js", "assets/app.js.gz", "index.html"})
    assert headers.wanted(content, "assets/app.js.gz", paths) == {
        "content_type": "text/javascript; charset=utf-8",
        "content_encoding": "gzip",
        "cache_control": "immutable",
        "metadata": {"a": "1", "b": "2"},
    }
    assert headers.wanted(content, "index.html", paths) == {
        "content_type": "text/html; charset=utf-8",
        "cache_control": "short",
    }


def test_invalidation_is_exact_and_collapses_only_whole_directories() -> None:
    served = {f"/docs/p{n}.html" for n in range(5)} | {"/index.html", "/a.css", "/img/x.png"}
    planned = invalidation.plan({"/docs/p0.html", "/docs/p1.html"}, served)
    assert planned.paths == ("/docs/p0.html", "/docs/p1.html")  # other docs did not change
    every = {f"/docs/p{n}.html" for n in range(5)}
    assert invalidation.plan(every, served).paths == ("/docs/*",)
    assert invalidation.plan({"/index.html"}, served, index=frozenset({"index.html"})).paths == (
        "/",
        "/index.html",
    )
    assert invalidation.plan(served, served).paths == ("/*",)


def test_invalidation_keeps_at_most_fifteen_wildcards_and_batches_of_three_thousand() -> None:
    changed = {f"/d{d}/f{n}" for d in range(20) for n in range(2 + d)}
    planned = invalidation.plan(changed, changed | {"/other"})
    wildcards = [p for p in planned.paths if p.endswith("*")]
    assert len(wildcards) == 15
    assert "/d19/*" in wildcards  # those saving most are kept
    assert "/d0/*" not in wildcards
    assert {"/d0/f0", "/d0/f1"} <= set(planned.paths)
    many = {f"/f{n}" for n in range(7000)}
    batched = invalidation.plan(many, many | {"/kept"})
    assert [len(b) for b in batched.batches] == [3000, 3000, 1000]
    assert "$35.000" in batched.summary()


def test_url_paths_are_encoded_and_below_the_origin_path() -> None:
    assert invalidation.url_path("a b/c*.html", "") == "/a%20b/c%2A.html"
    assert invalidation.url_path("site/x.html", "/site") == "/x.html"
    assert invalidation.url_path("other/x.html", "/site") is None


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"not json", "not JSON"),
        (b"[]", "format"),
        (json.dumps({"format": 2}).encode(), "format is 2"),
        (
            json.dumps(
                {"format": 1, "stack": "s", "content": "c", "prefix": "", "objects": {"k": {}}}
            ).encode(),
            "objects.k.sha256",
        ),
        (
            json.dumps(
                {
                    "format": 1,
                    "stack": "s",
                    "content": "c",
                    "prefix": "",
                    "objects": {"k": {"sha256": "z" * 64, "size": 1, "etag": None}},
                }
            ).encode(),
            "objects.k.sha256",
        ),
    ],
)
def test_a_manifest_that_is_not_ours_is_refused_with_why(body: bytes, why: str) -> None:
    with pytest.raises(manifest.ManifestError, match=why):
        manifest.parse(body)


def test_a_manifest_reads_back_as_written() -> None:
    written = manifest.Manifest(
        "s",
        "c",
        "p/",
        objects={"a": manifest.Entry("0" * 64, 3, '"e"', {"content_type": "text/plain"}, "v1")},
        uploads={"big": manifest.Upload("u1", "1" * 64, 8)},
        invalidation=("/a",),
        distribution="cdn",
    )
    assert manifest.parse(written.dumps()) == written


def test_the_offline_rules(tmp_path: Path) -> None:
    text = """\
version: 1
stack: s
buckets:
  site-b: {}
distributions:
  cdn:
    origins: [{id: o, bucket: other-b}]
    default_cache_behavior: {target_origin: o, viewer_protocol_policy: allow-all}
content:
  one:
    bucket: site-b
    source: ./public
    prefix: site
    invalidate: cdn
    headers:
      - {match: "a**", metadata: {Upper: "x"}}
  two:
    bucket: nowhere
    source: ./public
  three:
    bucket: site-b
    source: ./public
    prefix: ""
"""
    with pytest.raises(ConfigError) as caught:
        spec_file(tmp_path, text)
    messages = [str(i) for i in caught.value.issues]
    expected = [
        "a key prefix ends with '/'",
        "distribution 'cdn' has no origin on bucket 'site-b'",
        "'**' stands for whole parts",
        "a metadata name is lower-case",
        "bucket 'nowhere' is not declared in the spec",
        "two contents never share keys",
    ]
    for part in expected:
        assert any(part in m for m in messages), (part, messages)
    assert all(":" in m.split(" ")[0] for m in messages)  # each at FILE:LINE:COL
