"""Planning contents: per file of the source, what its object needs, by content (SHA-256), not
by ETag; then what the manifest names that the source no longer has; then the invalidation.

A change of a content lists one aspect per object it touches, named by the object's address
(``content.site["index.html"]``), in the order apply writes them: new and changed assets, then
pages (HTML, so that no page ever references an asset not yet there), then deletes. An
aspect's ``before`` and ``after`` are the object as the spec's words say it (``sha256``,
``size``, and its headers); its action says what is done:

- ``create``: uploaded, nothing is there;
- ``update``: uploaded when ``sha256`` or ``size`` differ, else a metadata-only update (a copy
  onto itself with the new headers): its diff lists exactly the headers that change;
- ``adopt``: the object there already holds these bytes and headers (put there by someone
  else, or by an apply interrupted before it wrote the manifest): the manifest records it;
- ``delete``: gone from the source, and the manifest says this content put it there.

Then ``manifest`` (entries of objects already gone, forgotten), ``unfinished_uploads``
(multipart uploads an interrupted apply left, aborted) and ``invalidation`` (the paths, their
count and cost). Everything is sorted, so the same files and live state give the same plan, and
a saved plan is applied only if the plan made again says the same. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import Severity
from reconciler.kinds.base import KindPlan, PlanContext
from reconciler.kinds.content import globs, headers
from reconciler.kinds.content.addresses import address, object_address, path_of
from reconciler.kinds.content.declared import KIND, contents
from reconciler.kinds.content.live import ContentRead, content_live
from reconciler.kinds.content.manifest import Entry
from reconciler.kinds.content.model import Content
from reconciler.kinds.content.targets import invalidation_aspect
from reconciler.plan.differ import diff
from reconciler.plan.model import Action, AspectChange, Diagnostic, ResourceChange, fingerprinted

MANIFEST, UNFINISHED, INVALIDATION = "manifest", "unfinished_uploads", "invalidation"
#: The parts of an object's description that are its bytes (a difference there is an upload).
BYTES = ("sha256", "size")


def uploads(aspect: AspectChange) -> bool:
    """Whether an object's aspect uploads bytes (rather than rewriting headers or adopting)."""
    if aspect.action is Action.CREATE:
        return True
    if aspect.action is not Action.UPDATE:
        return False
    before, after = aspect.before or {}, aspect.after or {}
    return any(before.get(k) != after.get(k) for k in BYTES)


def described(sha256: str | None, size: int, values: dict[str, Any]) -> dict[str, Any]:
    """An object in the spec's words: its bytes, then its headers in the plan's order."""
    ordered = {k: values[k] for k in headers.FIELDS if values.get(k) is not None}
    return {"sha256": sha256, "size": size, **ordered}


def fingerprint(read: ContentRead | None) -> dict[str, Any]:
    """A content's ``live_fingerprint`` and ``fingerprints``: its bucket's existence, the
    listing of the paths it has or had, its manifest, the objects headed, its source files."""
    if read is None:
        return fingerprinted({"existence": None})
    local = read.local.files if read.local else {}
    recorded = read.manifest.objects if read.manifest else {}
    relevant = set(local) | set(recorded)
    listing = read.listing or {}
    return fingerprinted(
        {
            "existence": read.listing is not None,
            "objects": {p: [v.etag, v.size, v.storage_class] for p, v in sorted(listing.items())
                        if p in relevant},
            "manifest": read.manifest.to_json() if read.manifest else None,
            "heads": {p: [h.etag, h.size, h.sha256, h.headers] for p, h in read.heads.items()},
            "sources": {p: [f.size, f.sha256] for p, f in sorted(local.items())},
        }
    )  # fmt: skip


@dataclass
class _Planned:
    """One content's aspects as they are found, sorted into apply's order at the end."""

    assets: list[AspectChange] = field(default_factory=list)
    pages: list[AspectChange] = field(default_factory=list)
    deletes: list[AspectChange] = field(default_factory=list)
    rest: list[AspectChange] = field(default_factory=list)

    def write(self, aspect: AspectChange) -> None:
        (self.pages if headers.is_page(aspect.after or {}) else self.assets).append(aspect)

    def ordered(self) -> list[AspectChange]:
        return [*self.assets, *self.pages, *self.deletes, *self.rest]


@dataclass
class ContentPlanner:
    context: PlanContext
    changes: list[ResourceChange] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unchanged: int = 0

    def note(self, severity: Severity, name: str, summary: str, *where: str | int) -> None:
        at = self.context.locate(("content", name, *where))
        self.diagnostics.append(Diagnostic(severity, address(name), summary, at))

    def error(self, name: str, summary: str, *where: str | int) -> None:
        self.note(Severity.ERROR, name, summary, *where)

    # -- a declared content ------------------------------------------------------------------

    def plan(self, name: str, content: Content, read: ContentRead) -> None:
        if read.failures:
            for failure in read.failures:
                self.error(name, failure)
            return
        if content.state == "absent":
            self.delete_all(name, read, content, reason=None)
            return
        local = read.local
        if local is None or local.missing:
            self.error(
                name, (local.missing if local else None) or "the source was not read", "source"
            )
            return
        for problem in local.problems:
            self.error(name, problem, "source")
        if local.problems:
            return
        planned = _Planned()
        paths = frozenset(local.files)
        for path in sorted(paths):
            file = local.files[path]
            wanted = headers.wanted(content, path, paths)
            aspect = self.object(
                name, content, read, path, described(file.sha256, file.size, wanted)
            )
            if aspect is not None:
                planned.write(aspect)
        self.gone(name, content, read, paths, planned)
        written = {p for a in planned.assets + planned.pages if (p := path_of(name, a.aspect))}
        unfinished = {
            p: u.upload_id
            for p, u in sorted((read.manifest.uploads if read.manifest else {}).items())
            if p not in written
        }
        if unfinished:
            planned.rest.append(AspectChange(UNFINISHED, Action.DELETE, unfinished, None))
        changed = [a for a in planned.ordered() if a.action is not Action.ADOPT]
        found = invalidation_aspect(
            self.context.spec, name, content=content, read=read, changed=changed, paths=paths
        )
        if found is not None:
            planned.rest.append(found)
        if content.max_deletes is not None and len(planned.deletes) > content.max_deletes:
            self.error(
                name,
                f"the plan would delete {len(planned.deletes)} objects, more than max_deletes "
                f"({content.max_deletes}): nothing is applied",
                "max_deletes",
            )
        self.changed(name, read, planned.ordered())

    def object(
        self, name: str, content: Content, read: ContentRead, path: str, want: dict[str, Any]
    ) -> AspectChange | None:
        """The aspect of one source file's object (``None``: it is as the spec says)."""
        at = object_address(name, path)
        listed = (read.listing or {}).get(path)
        entry = (read.manifest.objects if read.manifest else {}).get(path)
        declared = {k: v for k, v in want.items() if k not in BYTES}
        if listed is None:
            return AspectChange(at, Action.CREATE, None, want)
        if entry is not None and (entry.etag, entry.size) == (listed.etag, listed.size):
            recorded = dict(entry.headers)
            recorded.pop("storage_class", None)
            if listed.storage_class and listed.storage_class != "STANDARD":
                recorded["storage_class"] = listed.storage_class
            have = described(entry.sha256, entry.size, headers.compared(recorded, declared))
            action = Action.UPDATE
        else:
            head = read.heads.get(path)
            if head is None:  # gone between the listing and its HEAD
                return AspectChange(at, Action.CREATE, None, want)
            have = described(head.sha256, head.size, headers.compared(head.headers, declared))
            same = have == want
            action = Action.ADOPT if same else Action.UPDATE
            if entry is None and have.get("sha256") != want["sha256"]:
                self.note(
                    Severity.WARNING,
                    name,
                    f"{path}: the object there was not put there by this content; it is "
                    "overwritten",
                )
        entries = diff(have, want)
        if not entries and action is Action.UPDATE:
            return None
        if globs.first(content.protect, path) is not None and action is not Action.ADOPT:
            self.error(name, f"{path}: protected (protect), and would be overwritten", "protect")
        return AspectChange(at, action, have, want, entries)

    def gone(
        self,
        name: str,
        content: Content,
        read: ContentRead,
        paths: frozenset[str],
        planned: _Planned,
    ) -> None:
        """What the manifest names that the source no longer has: forgotten when the object
        is gone already, deleted with ``delete: true``."""
        recorded = read.manifest.objects if read.manifest else {}
        listing = read.listing or {}
        forgotten: dict[str, Any] = {}
        for path, entry in sorted(recorded.items()):
            if path in paths:
                continue
            listed = listing.get(path)
            if listed is None:
                forgotten[path] = _entry(entry)
            elif content.delete:
                self.deletion(
                    name,
                    protect=content.protect,
                    path=path,
                    entry=entry,
                    listed=listed,
                    planned=planned,
                )
        if forgotten:
            entries = tuple(d for p, v in forgotten.items() for d in diff({p: v}, {}))
            planned.rest.append(AspectChange(MANIFEST, Action.UPDATE, forgotten, {}, entries))

    def deletion(
        self,
        name: str,
        *,
        protect: list[str],
        path: str,
        entry: Entry,
        listed: Any,
        planned: _Planned,
    ) -> None:
        if globs.first(protect, path) is not None:
            self.error(name, f"{path}: protected (protect), and would be deleted", "protect")
            return
        if (entry.etag, entry.size) != (listed.etag, listed.size):
            self.note(
                Severity.WARNING,
                name,
                f"{path}: changed since this content put it there (ETag or size): not deleted",
            )
            return
        before = _entry(entry)
        planned.deletes.append(
            AspectChange(
                object_address(name, path), Action.DELETE, before, None, diff(before, None)
            )
        )

    def delete_all(
        self, name: str, read: ContentRead, content: Content | None, *, reason: str | None
    ) -> None:
        """A content declared absent, or no longer declared: every object its manifest names
        is deleted (not those ``protect`` keeps, nor those changed since), then the manifest."""
        if read.manifest is None:
            self.unchanged += 1
            return
        planned = _Planned()
        protect = list(content.protect) if content else []
        listing = read.listing or {}
        for path, entry in sorted(read.manifest.objects.items()):
            listed = listing.get(path)
            if listed is None:
                continue
            if globs.first(protect, path) is not None:
                self.note(Severity.WARNING, name, f"{path}: protected (protect): left in place")
                continue
            self.deletion(name, protect=[], path=path, entry=entry, listed=listed, planned=planned)
        planned.rest.append(AspectChange(MANIFEST, Action.DELETE, read.manifest.to_json(), None))
        self.changed(name, read, planned.ordered(), delete=True, reason=reason)

    def changed(
        self,
        name: str,
        read: ContentRead,
        aspects: list[AspectChange],
        *,
        delete: bool = False,
        reason: str | None = None,
    ) -> None:
        if not aspects:
            self.unchanged += 1
            return
        action = Action.DELETE if delete else Action.UPDATE
        if read.manifest is None and not delete:
            action = Action.CREATE
        self.changes.append(
            ResourceChange(
                address=address(name),
                kind=KIND,
                name=name,
                action=action,
                aspects=tuple(aspects),
                **fingerprint(read),
                reason=reason or counted(aspects),
                id=f"s3://{read.bucket}/{read.prefix}",
            )
        )


def _entry(entry: Entry) -> dict[str, Any]:
    return described(entry.sha256, entry.size, dict(entry.headers))


def counted(aspects: list[AspectChange]) -> str:
    """What a content's change does, counted (the headline of its plan)."""
    objects = [a for a in aspects if a.aspect not in (MANIFEST, UNFINISHED, INVALIDATION)]
    sent = [a for a in objects if uploads(a)]
    size = sum(int((a.after or {}).get("size") or 0) for a in sent)
    parts = [
        f"{len(sent)} upload(s) of {size:,} bytes",
        f"{sum(1 for a in objects if a.action is Action.UPDATE and not uploads(a))} "
        "metadata-only update(s)",
        f"{sum(1 for a in objects if a.action is Action.DELETE)} delete(s)",
    ]
    adopted = sum(1 for a in objects if a.action is Action.ADOPT)
    if adopted:
        parts.append(f"{adopted} adopted")
    found = next((a for a in aspects if a.aspect == INVALIDATION), None)
    if found is not None:
        parts.append(f"invalidation of {len(found.after['paths'])} path(s)")
    return ", ".join(parts)


def plan_contents(context: PlanContext) -> KindPlan:
    planner = ContentPlanner(context)
    live = content_live(context.live)
    covered = context.covered
    for name, content in sorted(contents(context.spec).items()):
        if covered is not None and name not in covered:
            continue
        read = live.contents.get(name)
        if read is not None:
            planner.plan(name, content, read)
    if covered is None:
        for name, read in sorted(live.owned_undeclared.items()):
            planner.delete_all(name, read, None, reason="owned by this stack, no longer declared")
    return KindPlan(planner.changes, planner.diagnostics, planner.unchanged)
