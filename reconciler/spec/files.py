"""Which files a spec is read from. ``-f FILE`` is a spec file, whatever it holds; ``-f DIR`` is
every ``*.yaml``/``*.yml`` below it (sorted) that is a spec. A file found below a directory whose
top level holds none of a spec's keys (``version``, ``stack``, ``buckets``, ...), such as a
``--var-file`` kept beside the specs or a CI pipeline, is not a spec: it is skipped, and a warning
names it and says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path as FilePath

from reconciler.errors import Severity, SourcePosition, SpecIssue
from reconciler.spec.model import Spec
from reconciler.spec.source import Document
from reconciler.spec.yaml_events import MappingStart

DEFAULT_FILE = "reconciler.yaml"
#: The top-level keys of a spec: a file found below a directory holds at least one.
SPEC_KEYS = tuple(Spec.model_fields)


@dataclass(frozen=True)
class Found:
    """The spec files to read, in order; what was not found; the files found by walking a
    directory (skipped when they turn out not to be specs)."""

    names: list[str]
    issues: list[SpecIssue]
    walked: frozenset[str]


def find_files(paths: Sequence[str]) -> Found:
    found: list[str] = []
    walked: set[str] = set()
    issues: list[SpecIssue] = []
    for given in paths or [DEFAULT_FILE]:
        path = FilePath(given)
        if path.is_dir():
            below = sorted(
                p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
            )
            if not below:
                issues.append(SpecIssue(f"{given}: no *.yaml or *.yml files in this directory"))
            found.extend(str(p) for p in below)
            walked.update(str(p) for p in below)
        elif path.is_file():
            found.append(str(path))
        elif not paths:
            issues.append(
                SpecIssue(f"{given}: no such file (the default spec; give -f FILE or DIRECTORY)")
            )
        else:
            issues.append(SpecIssue(f"{given}: no such file or directory"))
    unique = list(dict.fromkeys(found))
    # A file also named on its own (-f DIR -f DIR/x.yaml) is a spec file, whatever it holds.
    named = {str(FilePath(p)) for p in paths if FilePath(p).is_file()}
    return Found(unique, issues, frozenset(walked - named))


def not_a_spec(doc: Document) -> SpecIssue | None:
    """Why a file found below a directory is skipped, if it is: it holds no spec key."""
    if isinstance(doc.root_event, MappingStart) and any(
        doc.top_level(key) is not None for key in SPEC_KEYS
    ):
        return None
    keys = ", ".join(SPEC_KEYS[:4])
    return SpecIssue(
        f"skipped: not a spec (its top level has none of {keys}, ...); a file below a "
        "-f directory is read as a spec only when it has one",
        "",
        SourcePosition(doc.file, 1, 1),
        Severity.WARNING,
    )


def nothing_found(warnings: list[SpecIssue]) -> SpecIssue:
    """The error when every file found below the directories was skipped."""
    skipped = ", ".join(w.position.file for w in warnings if w.position is not None)
    return SpecIssue(f"no spec file was found: skipped {skipped} (none is a spec)")
