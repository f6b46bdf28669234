"""Which paths a distribution's caches lose after an apply: exactly the paths whose objects
were uploaded, re-headered or deleted, and the directory of a changed index document (``/``
for ``index.html``), collapsed into a wildcard only where that stays exact and is cheaper.

CloudFront bills invalidation paths beyond the account's free 1,000 a month at $0.005 each, a
wildcard counting as one; at most 3,000 paths and 15 wildcards may be in progress per
distribution (more is ``TooManyInvalidationsInProgress``). So a directory whose every object
changed (or went) becomes ``/dir/*`` when it holds two or more: it clears nothing that did not
change, and costs one path. Wildcards are kept for the directories that save the most paths, at
most 15; what remains is sent in batches of at most 3,000 paths, one after another (a batch
CloudFront refuses as too many in progress is retried once earlier ones are done). Pure.

Paths are the URL paths the distribution serves: the key less the origin's path, with what a
URL cannot carry as it is percent-encoded (``*`` too: a key's ``*`` is no wildcard).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

FREE_PATHS_A_MONTH = 1000
PRICE_PER_PATH = 0.005
MAX_PATHS = 3000
MAX_WILDCARDS = 15
_SAFE = "/!$&'()+,;=:@-._"


def url_path(key: str, origin_path: str) -> str | None:
    """The URL path serving ``key`` through an origin with ``origin_path`` (``None``: not
    below it, so not served by that origin)."""
    base = origin_path.strip("/")
    if base:
        if not key.startswith(base + "/"):
            return None
        key = key[len(base) + 1 :]
    return "/" + quote(key, safe=_SAFE)


@dataclass(frozen=True)
class Invalidation:
    paths: tuple[str, ...]
    batches: tuple[tuple[str, ...], ...]

    @property
    def wildcards(self) -> int:
        return sum(1 for p in self.paths if p.endswith("*"))

    def summary(self) -> str:
        count = len(self.paths)
        most = count * PRICE_PER_PATH
        return (
            f"{count} path(s), {self.wildcards} of them wildcards, in {len(self.batches)} "
            f"invalidation(s): free within the account's {FREE_PATHS_A_MONTH:,} a month, then "
            f"${PRICE_PER_PATH} each (at most ${most:,.3f} for this apply)"
        )


def _directories(path: str) -> Iterable[str]:
    """The directories holding ``path`` (URL form, ``/a/b/c.html`` → ``/a/``, ``/a/b/``), from
    the top."""
    parts = path.split("/")[1:-1]
    for depth in range(1, len(parts) + 1):
        yield "/" + "/".join(parts[:depth]) + "/"


def plan(
    changed: Iterable[str], served: Iterable[str], *, index: frozenset[str] = frozenset()
) -> Invalidation:
    """The invalidation of ``changed`` URL paths, where ``served`` are every path the
    distribution serves from this content, before and after (so a wildcard is only used for a
    directory all of whose paths changed); ``index``: the index documents' names, whose
    directory is invalidated with them."""
    exact = set(changed)
    every = set(served) | exact
    for path in list(exact):
        folder, _, name = path.rpartition("/")
        if name in index:
            exact.add(folder + "/")
    counts: dict[str, int] = {}
    changed_counts: dict[str, int] = {}
    for path in every:
        for folder in ("/", *_directories(path)):
            counts[folder] = counts.get(folder, 0) + 1
    for path in exact:
        for folder in ("/", *_directories(path)):
            changed_counts[folder] = changed_counts.get(folder, 0) + 1
    # A directory all of whose paths changed; the topmost such directories.
    whole = sorted(
        f
        for f, n in changed_counts.items()
        if n >= 2 and n >= counts.get(f, 0) and counts.get(f, 0) >= 1
    )
    tops: list[str] = []
    for folder in whole:
        if not any(folder.startswith(t) for t in tops):
            tops.append(folder)
    # The wildcards saving most, at most MAX_WILDCARDS of them.
    saving = sorted(tops, key=lambda f: (-(changed_counts[f] - 1), f))[:MAX_WILDCARDS]
    paths = {f"{f}*" for f in saving}
    paths |= {p for p in exact if not any(p.startswith(f) for f in saving)}
    ordered = tuple(sorted(paths))
    batches = tuple(ordered[i : i + MAX_PATHS] for i in range(0, len(ordered), MAX_PATHS))
    return Invalidation(ordered, batches)


def merged(planned: Invalidation, due: Iterable[str]) -> Invalidation:
    """``planned`` with the paths an earlier apply did not get invalidated (``due``), less
    those a planned wildcard covers."""
    wildcards = [p[:-1] for p in planned.paths if p.endswith("*")]
    extra = {p for p in due if not any(p.startswith(w) for w in wildcards)}
    ordered = tuple(sorted(set(planned.paths) | extra))
    batches = tuple(ordered[i : i + MAX_PATHS] for i in range(0, len(ordered), MAX_PATHS))
    return Invalidation(ordered, batches)
