"""The offline rules of a content entry: its name, its bucket and distribution declared (and
the distribution serving the bucket), its prefix, its globs, its headers' values (what S3 would
refuse or change: a metadata name with capitals comes back in lower case, a value that is not
ASCII comes back encoded), and two contents never sharing keys of one bucket."""

from __future__ import annotations

import re
from collections.abc import Iterator

from reconciler.kinds.bucket.declared import declared_bucket
from reconciler.kinds.content import globs
from reconciler.kinds.content.declared import SECTION, contents
from reconciler.kinds.content.manifest import RESERVED
from reconciler.kinds.content.model import Content
from reconciler.kinds.distribution.declared import SECTION as DISTRIBUTIONS
from reconciler.kinds.distribution.declared import distributions
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

_LOGICAL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_METADATA_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;.*)?$", re.I)
#: What S3 keeps of user metadata: 2 KB, names and values together.
METADATA_BYTES = 2048


def check(ctx: RuleContext) -> Iterator[Finding]:
    for name, content in contents(ctx.spec).items():
        yield from _content(ctx, name, content)
    yield from _overlaps(ctx)


def _content(ctx: RuleContext, name: str, content: Content) -> Iterator[Finding]:
    path: Path = (SECTION, name)
    if not _LOGICAL_NAME.match(name):
        yield Finding(
            path,
            "a content's logical name is 1 to 128 letters, digits, '.', '_' or '-' (it names "
            "its manifest)",
            at_key=True,
        )
    bucket = declared_bucket(ctx, content.bucket)
    if bucket is None:
        yield Finding((*path, "bucket"), f"bucket {content.bucket!r} is not declared in the spec")
    elif bucket is not False and bucket.state == "absent" and content.state != "absent":
        yield Finding(
            (*path, "bucket"),
            f"bucket {content.bucket!r} is declared absent: nothing can be kept in it",
        )
    yield from _prefix(path, content.prefix)
    yield from _invalidate(ctx, path, content)
    for index, rule in enumerate(content.headers):
        where: Path = (*path, "headers", index)
        if (problem := globs.problem(rule.match)) is not None:
            yield Finding((*where, "match"), problem)
        for header in ("cache_control", "content_type", "content_encoding",
                       "content_disposition", "content_language"):  # fmt: skip
            value = getattr(rule, header)
            if value is not None and not _header_value(value):
                yield Finding((*where, header), "a header value is printable ASCII on one line")
        if rule.content_type is not None and not _MEDIA_TYPE.match(rule.content_type):
            yield Finding((*where, "content_type"), "a content type is TYPE/SUBTYPE[; PARAMS]")
        yield from _metadata(where, rule.metadata or {})
    for index, pattern in enumerate(content.exclude):
        if (problem := globs.problem(pattern)) is not None:
            yield Finding((*path, "exclude", index), problem)
    for index, pattern in enumerate(content.protect):
        if (problem := globs.problem(pattern)) is not None:
            yield Finding((*path, "protect", index), problem)
    for extension, media_type in content.content_types.items():
        where = (*path, "content_types", extension)
        if not extension.startswith(".") or "/" in extension or len(extension) < 2:
            yield Finding(where, "a file extension starts with '.' (.webmanifest)", at_key=True)
        if not _MEDIA_TYPE.match(media_type) or not _header_value(media_type):
            yield Finding(where, "a content type is TYPE/SUBTYPE[; PARAMS]")


def _prefix(path: Path, prefix: str) -> Iterator[Finding]:
    where = (*path, "prefix")
    if prefix.startswith("/"):
        yield Finding(where, "a key prefix does not start with '/' (site/, not /site/)")
    elif prefix and not prefix.endswith("/"):
        yield Finding(where, "a key prefix ends with '/' (site/), or is '' for the bucket's root")
    elif prefix.startswith(RESERVED):
        yield Finding(where, f"keys below {RESERVED} are where the reconciler keeps manifests")


def _invalidate(ctx: RuleContext, path: Path, content: Content) -> Iterator[Finding]:
    name = content.invalidate
    if name is None:
        return
    where = (*path, "invalidate")
    dist = distributions(ctx.spec).get(name)
    if dist is None:
        if not ctx.declares(DISTRIBUTIONS, name):
            yield Finding(where, f"distribution {name!r} is not declared in the spec")
        return
    if dist.state == "absent":
        yield Finding(where, f"distribution {name!r} is declared absent")
    elif not any(o.bucket == content.bucket for o in dist.origins or []):
        yield Finding(
            where,
            f"distribution {name!r} has no origin on bucket {content.bucket!r}: it does not "
            "serve this content",
        )


def _header_value(value: str) -> bool:
    return value.isascii() and all(32 <= ord(c) < 127 for c in value)


def _metadata(where: Path, metadata: dict[str, str]) -> Iterator[Finding]:
    total = 0
    for key, value in metadata.items():
        total += len(key.encode()) + len(value.encode())
        if not _METADATA_NAME.match(key):
            yield Finding(
                (*where, "metadata", key),
                "a metadata name is lower-case letters, digits and '-' (S3 gives it back in "
                "lower case)",
                at_key=True,
            )
        if not _header_value(value):
            yield Finding((*where, "metadata", key), "a metadata value is printable ASCII")
    if total > METADATA_BYTES:
        yield Finding((*where, "metadata"), f"user metadata is at most {METADATA_BYTES} bytes")


def _overlaps(ctx: RuleContext) -> Iterator[Finding]:
    """Two contents in one bucket whose prefixes overlap would each delete the other's."""
    seen: list[tuple[str, str, str]] = []
    for name, content in sorted(contents(ctx.spec).items()):
        for other, bucket, prefix in seen:
            if bucket == content.bucket and (
                prefix.startswith(content.prefix) or content.prefix.startswith(prefix)
            ):
                yield Finding(
                    (SECTION, name, "prefix"),
                    f"content {other!r} keeps keys below {prefix!r} of bucket {bucket!r} too: "
                    "two contents never share keys",
                )
        seen.append((name, content.bucket, content.prefix))
