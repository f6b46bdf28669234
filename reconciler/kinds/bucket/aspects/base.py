"""What a bucket aspect states about itself, in one place: the `Aspect` record each unit of
`reconciler.kinds.bucket.aspects` fills in.

A unit is pure. It names the S3 sub-resource and the calls that read, write and delete it (with
the IAM action each is authorized as, and the error codes that mean "not configured"), turns an
answer into the spec's own value and a spec value into the body S3 takes, says what the value
means for comparison (its canonical form, and the form of "never configured"), where it goes in
the write order, how import writes it, and which offline rules it obeys. The reader, the writer,
the planner, the importer, ``reconciler permissions`` and the field reference act on these
records; none of them names an aspect.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from reconciler import xmlcodec
from reconciler.errors import ResponseParseError, Unsupported
from reconciler.kinds.bucket.canonical import Context, Json
from reconciler.kinds.bucket.model import Bucket
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

#: The documents a store answers when it ignores the sub-resource and lists the bucket.
LISTINGS = frozenset({"ListBucketResult", "ListVersionsResult", "ListAllMyBucketsResult"})


@dataclass(frozen=True)
class Call:
    """One S3 API operation and the IAM action it is authorized as."""

    operation: str
    action: str


@dataclass(frozen=True)
class Items:
    """A configuration S3 keeps as separate items by id (inventory, metrics, analytics,
    Intelligent-Tiering): ``get`` lists them a page at a time (``continuation-token``), ``put``
    and ``delete`` act on one (``?SUBRESOURCE&id=ID``). ``element`` names one item, in the
    listing and in the body written; the unit's ``encode`` takes one item."""

    element: str


@dataclass(frozen=True)
class S3Calls:
    """How an aspect is read, written and removed. ``delete`` ``None``: S3 has no delete for it,
    and "absent" is written with ``put`` (`Unconfigured.written_as`)."""

    subresource: str
    #: The root element of the body written (``None``: JSON).
    document: str | None
    get: Call
    put: Call
    delete: Call | None = None
    format: Literal["xml", "json"] = "xml"
    items: Items | None = None

    @property
    def content_type(self) -> str:
        return "application/json" if self.format == "json" else "application/xml"


@dataclass(frozen=True)
class Decoded:
    """A read turned into the spec's value (``None``: never configured), and the bucket owner's
    canonical id when the answer tells it (an ACL does)."""

    value: Any
    owner_id: str | None = None
    #: For a listing of items: where the next page starts.
    next_token: str | None = None


@dataclass(frozen=True)
class WriteContext:
    """What a write may need beyond the value: the bucket owner's canonical id (read once, only
    when asked for)."""

    owner_id: Callable[[], str]


Rules = Callable[[RuleContext, str, Bucket, Path], Iterator[Finding]]


@dataclass(frozen=True)
class Referenced:
    """What was read of a bucket an aspect refers to that the spec does not declare (it
    exists, is this account's and was read): its region and the aspects its `Refers` reads."""

    name: str
    region: str | None
    aspects: dict[str, Any]


Problem = tuple[str, tuple[str, ...]]
ReferenceCheck = Callable[[Any, str, Referenced], Iterator[Problem]]
Prepare = Callable[[Any, Context], Iterator[tuple[str, tuple[str, ...]]]]
ImportHint = Callable[[dict[str, Any], dict[str, Any]], None]


def _no_rules(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    return iter(())


def _same(value: Any, ctx: Context, desired: bool) -> Json:
    return value


@dataclass(frozen=True)
class Unconfigured:
    """What "nobody configured this aspect" is, in every place it shows, in one record.

    ``compares_as``: its comparable form (what a read of ``None`` compares as, and so what any
    value equal to it by meaning is: a bucket never versioned is ``suspended``); ``codes``: the
    error codes a read answers for it; ``reads_as``: the spec value such a read gives (``None``,
    or an empty list or map); ``also``: spec values that mean it besides (the private ACL);
    ``written_as``: the body that writes it where S3 has no delete; ``left_alone_on_create``:
    a new bucket is left as it is when the spec asks for it (writing it would do something:
    object lock's "absent" keeps the lock on)."""

    compares_as: Json = None
    codes: tuple[str, ...] = ()
    reads_as: Any = None
    also: tuple[Any, ...] = ()
    written_as: Callable[[], bytes] | None = None
    left_alone_on_create: bool = False

    def value(self) -> Any:
        """The spec value a read of "not configured" gives (a fresh list or map each time)."""
        return type(self.reads_as)(self.reads_as) if self.reads_as is not None else None


@dataclass(frozen=True)
class Refers:
    """The other buckets a present value names (a logging target, a replication destination):
    a declared one is written first and deleted after this stops naming it; an undeclared one
    is read when planning (``reads``: which aspects of it) and checked (``check``, given the
    value, this bucket's region and what was read); ``when_left_out``: the aspects also read of
    a declared one whose spec leaves them out. ``label`` names it in messages, ``at`` is where
    the aspect names it."""

    names: Callable[[Any], tuple[str, ...]]
    label: str = "bucket"
    at: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    check: ReferenceCheck | None = None
    when_left_out: tuple[str, ...] = ()


@dataclass(frozen=True)
class Aspect:
    """One bucket aspect: what it is read and written with, how it compares, what it refers
    to, and its rules. ``key`` is its spec key (the field of `Bucket`), ``decode`` takes a
    successful read's parsed answer (an XML element, or a JSON value), ``encode`` a present
    spec value; ``canonical`` is given present values only (``unconfigured.compares_as`` is the
    form of the rest). ``follows``: aspects that must be written before this one on the same
    bucket. ``extra_write_actions``: IAM actions a write needs besides the unit's own calls."""

    key: str
    calls: S3Calls
    decode: Callable[[Any], Decoded]
    encode: Callable[[Any, WriteContext], bytes]
    unconfigured: Unconfigured
    canonical: Callable[[Any, Context, bool], Json] = _same
    follows: tuple[str, ...] = ()
    rules: Rules = _no_rules
    refers: Refers | None = None
    extra_write_actions: tuple[str, ...] = ()
    #: For import: adds to a bucket's document what must stand beside this aspect for the spec
    #: to re-create the bucket as it is (given the document and every live aspect).
    import_hint: ImportHint | None = None
    #: Prepares the comparison from the desired value (what cannot be verified is left out),
    #: giving warnings as (message, path inside the aspect).
    prepare: Prepare | None = None
    #: A list whose elements the offline rules check one by one: when some have a wrong shape,
    #: the others are still checked.
    salvage_elements: bool = False
    #: A warning about a change from the live value to the desired one (given both), for
    #: what cannot be undone.
    warn_change: Callable[[Any, Any], str | None] | None = None
    #: Names in the canonical form whose children are keyed by id, for readable diff paths
    #: (``""``: the value itself is a map by id).
    keyed: frozenset[str] = frozenset()
    #: Whether a read tells the bucket owner's canonical id (the writer reads this aspect when a
    #: write needs the owner).
    tells_owner: bool = False

    def references(self, value: Any) -> tuple[str, ...]:
        """The buckets a present value names."""
        return self.refers.names(value) if self.refers is not None and value else ()

    def read(self, body: bytes, *, address: str, source: str | None = None) -> Decoded:
        """A successful read's answer as the spec's value."""
        operation = self.calls.get.operation
        parsed: Any
        if self.calls.format == "json":
            try:
                parsed = json.loads(body)
            except ValueError as exc:
                raise ResponseParseError(
                    f"{operation}: the {self.key} is not valid JSON", address=address
                ) from exc
        else:
            parsed = xmlcodec.parse(body, what=operation, address=address, source=source)
            if parsed.tag in LISTINGS:
                # Some stores ignore a sub-resource they lack and answer the bucket's listing:
                # that is not a configuration, and never reads as one. (Other root names are
                # not refused: stores spell the configuration's root differently.)
                raise Unsupported(
                    f"{operation} answered the bucket's listing ({parsed.tag}), not its "
                    "configuration",
                    code="UnexpectedDocument",
                    status=200,
                    address=address,
                )
        try:
            return self.decode(parsed)
        except ResponseParseError as exc:
            raise ResponseParseError(exc.message, address=address) from exc

    def comparable(self, value: Any, ctx: Context, *, desired: bool) -> Json:
        """The form two values are compared in (``None``/``False``: not configured)."""
        if value is None or value is False:
            return self.unconfigured.compares_as
        return self.canonical(value, ctx, desired)

    def never_configured(self, value: Any, owner_id: str | None) -> bool:
        """Whether a live value reads as AWS answers for a bucket nobody configured."""
        if value in (None, False, [], {}) or value in self.unconfigured.also:
            return True
        comparable = self.comparable(value, Context(owner_id=owner_id), desired=False)
        return bool(comparable == self.unconfigured.compares_as)
