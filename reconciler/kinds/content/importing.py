"""Importing content: ``--content NAME=BUCKET[/PREFIX]`` writes an entry for the objects below
PREFIX in BUCKET, with the header rules that give each object the headers it has (a HEAD of
each): a rule per extension when every object of that extension shares its headers, per path
otherwise, and ``content_types`` for an extension whose objects all have a type the built-in
table does not give. The files themselves are not downloaded: the entry's ``source`` is
``./NAME``, and a note says to put the site's files there before planning."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import PurePosixPath
from typing import Any

from reconciler.aws.steps import Steps
from reconciler.errors import PlanError
from reconciler.importing import Documents, checked
from reconciler.kinds.base import Clients, Runner
from reconciler.kinds.content import manifest, media, objects
from reconciler.kinds.content.addresses import address
from reconciler.kinds.content.declared import KIND
from reconciler.kinds.content.live import Headed
from reconciler.kinds.content.model import Content
from reconciler.kinds.content.read import sha256_hex
from reconciler.live.failures import READ_FAILURES, describe_failure
from reconciler.live.model import LiveState


@dataclass(frozen=True)
class Imported:
    """What was read for one ``--content`` option."""

    name: str
    bucket: str
    prefix: str
    objects: dict[str, Headed]


def parse_option(given: str) -> tuple[str, str, str]:
    """``NAME=BUCKET[/PREFIX]`` as (name, bucket, prefix)."""
    name, equals, where = given.partition("=")
    bucket, _, prefix = where.partition("/")
    if not equals or not name or not bucket:
        raise PlanError(f"--content takes NAME=BUCKET[/PREFIX], not {given!r}")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return name, bucket, prefix


def read(clients: Clients, run: Runner, names: Iterable[str]) -> dict[str, Imported]:
    s3 = clients.s3
    found: dict[str, Imported] = {}
    for given in names:
        name, bucket, prefix = parse_option(given)
        try:
            listed = s3.run(s3.objects.listing_objects(bucket, prefix=prefix))
        except READ_FAILURES as exc:
            raise PlanError(describe_failure("objects", exc), address=address(name)) from exc
        heads: dict[str, Headed] = {}

        def head(path: str, heads: dict[str, Headed], bucket: str, prefix: str) -> Steps[None]:
            got = yield from s3.objects.heading_object(bucket, prefix + path)
            if got is not None:
                heads[path] = Headed(
                    got.etag,
                    got.size,
                    objects.from_object(got.headers),
                    sha256_hex(got.checksum_sha256),
                )

        paths = [
            o.key[len(prefix) :]
            for o in listed
            if not o.key.startswith(manifest.RESERVED) and o.key[len(prefix) :]
        ]
        run("content objects", [partial(head, p, heads, bucket, prefix) for p in paths])
        found[name] = Imported(name, bucket, prefix, dict(sorted(heads.items())))
    return found


def _rules(objects: dict[str, Headed]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Header rules and content types giving each object the headers it has."""
    paths = frozenset(objects)
    extras: dict[str, dict[str, Any]] = {}
    for path, found in objects.items():
        values = dict(found.headers)
        typed = values.pop("content_type", None) or media.UNKNOWN
        sibling = media.precompressed(path, paths)
        guessed = media.media_type(sibling[0] if sibling else path)
        if values.get("content_encoding") == (sibling[1] if sibling else None):
            values.pop("content_encoding", None)
        if typed != guessed:
            values["content_type"] = typed
        extras[path] = values
    by_extension: dict[str, list[str]] = {}
    for path in sorted(objects):
        by_extension.setdefault(PurePosixPath(path).suffix.lower(), []).append(path)
    rules: list[dict[str, Any]] = []
    content_types: dict[str, str] = {}
    for suffix, group in sorted(by_extension.items()):
        shared = {repr(sorted(extras[p].items())) for p in group}
        if suffix and len(shared) == 1:
            values = dict(extras[group[0]])
            if "content_type" in values and not any(media.precompressed(p, paths) for p in group):
                content_types[suffix] = values.pop("content_type")
            if values:
                rules.append({"match": f"**/*{suffix}", **values})
            continue
        rules += [{"match": p, **extras[p]} for p in group if extras[p]]
    return rules, content_types


def documents(live: LiveState, names: list[str]) -> Documents:
    found: dict[str, Imported] = live.of(KIND) or {}
    out = Documents()
    for name, imported in sorted(found.items()):
        rules, content_types = _rules(imported.objects)
        doc: dict[str, Any] = {
            "bucket": imported.bucket,
            "source": f"./{name}",
            "prefix": imported.prefix,
        }
        if rules:
            doc["headers"] = rules
        if content_types:
            doc["content_types"] = content_types
        model = checked(Content, address(name), doc)
        dumped = model.model_dump(mode="json", exclude_defaults=True)
        out.documents[name] = {k: dumped[k] for k in doc if k in dumped} | (
            {"prefix": ""} if not imported.prefix else {}
        )
        out.notes.append(
            f"{address(name)}: {len(imported.objects)} object(s) of s3://{imported.bucket}/"
            f"{imported.prefix}; put the site's files in ./{name} (beside the spec) before planning"
        )
    return out
