"""Import: a spec (YAML) that describes existing resources, so that planning it right after
changes nothing but ownership (the ``reconciler:stack`` tag an adoption adds).

Each kind reads what is named of it (or, with ``--all-unmanaged``, every one of the account
that no stack owns) and writes a document per resource, checked against the spec's own models
(`reconciler.kinds.bucket.importing`, `reconciler.kinds.distribution.importing`). Here the
documents become one spec: ``${`` in any value is written ``$${`` (IAM policy variables stay
literal) except in the ``${env.NAME}`` references import made itself; the order is stable (by
kind, then by name, parts in the spec's order).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reconciler.importing import Documents
from reconciler.kinds.registry import kinds
from reconciler.live.model import STACK_TAG, LiveState
from reconciler.live.reader import LiveReader

#: Where a project keeps the schema editors read (``reconciler schema -o
#: schemas/reconciler.schema.json`` writes it); the modeline points there when it is found.
SCHEMA_FILE = Path("schemas") / "reconciler.schema.json"
NO_SCHEMA = (
    "# For completion in an editor: reconciler schema -o schemas/reconciler.schema.json, then\n"
    "# a first line of: # yaml-language-server: $schema=<that file, relative to this one>"
)


@dataclass(frozen=True)
class ImportRequest:
    """``names``: per kind, what to import (a bucket's name, a distribution's id);
    ``all_unmanaged``: every resource no stack owns too, of every kind or of those in
    ``alone``."""

    stack: str
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    all_unmanaged: bool = False
    alone: frozenset[str] = frozenset()
    #: The file the spec is written to (``None``: printed, as if written in this directory).
    output: str | None = None


@dataclass
class Imported:
    """The spec's text, the addresses it declares, and notes for the person running the import
    (environment variables to set)."""

    text: str
    declared: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read(reader: LiveReader, request: ImportRequest) -> LiveState:
    """The live state of the requested resources (with ``all_unmanaged``, of every resource
    that no stack owns, too)."""
    parts = {}
    for kind in kinds():
        name = kind.declaration.kind
        wanted = set(request.names.get(name, ()))
        if request.all_unmanaged and (not request.alone or name in request.alone):
            wanted |= set(
                kind.import_unmanaged(
                    reader.clients, reader.run, stack=request.stack, parallelism=reader.parallelism
                )
            )
        if wanted:
            parts[name] = kind.import_read(
                reader.clients,
                reader.run,
                sorted(wanted),
                stack=request.stack,
                parallelism=reader.parallelism,
            )
    return LiveState(parts)


def _escaped(value: Any, *, keep: frozenset[str] = frozenset()) -> Any:
    """``${`` written as ``$${`` everywhere but in the env references import made itself."""
    if isinstance(value, dict):
        return {_escaped(k): _escaped(v, keep=keep) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v, keep=keep) for v in value]
    if isinstance(value, str) and value not in keep:
        return value.replace("${", "$${")
    return value


class _Dumper(yaml.SafeDumper):
    """Safe YAML with list items indented under their key, as people write specs."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def modeline(output: str | None) -> str:
    """The editor's schema line for a spec written to ``output``: the ``schemas/`` file found
    in its directory or the nearest parent holding one, by a relative path; when there is
    none, how to make one."""
    here = Path(output).resolve().parent if output else Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / SCHEMA_FILE).is_file():
            relative = os.path.relpath(folder / SCHEMA_FILE, here)
            return f"# yaml-language-server: $schema={Path(relative).as_posix()}"
    return NO_SCHEMA


def render(live: LiveState, request: ImportRequest) -> Imported:
    """The spec of what ``live`` holds (read for ``request``); a resource ``request`` names
    that is not there is an error."""
    notes: list[str] = []
    declared: list[str] = []
    doc: dict[str, Any] = {"version": 1, "stack": request.stack}
    counts = []
    keep: frozenset[str] = frozenset()
    for kind in kinds():
        declaration = kind.declaration
        found: Documents = (
            kind.import_documents(
                live, request.stack, list(request.names.get(declaration.kind, ()))
            )
            if declaration.kind in live.parts
            else Documents()
        )
        if found.documents:
            doc[declaration.section] = found.documents
        declared += [str(declaration.address(name)) for name in found.documents]
        notes += found.notes
        keep |= found.references
        counts.append(f"{len(found.documents)} {declaration.noun}(s)")
    body = yaml.dump(
        _escaped(doc, keep=keep),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    header = (
        f"{modeline(request.output)}\n#\n# Written by `reconciler import`: "
        f"{', '.join(counts)}.\n"
        f"# Planning it adopts what stack {request.stack} does not own yet "
        f"(adds the {STACK_TAG} tag)\n# and changes nothing else.\n"
    )
    return Imported(header + body, declared, notes)
