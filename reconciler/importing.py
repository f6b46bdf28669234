"""What every kind's import does the same way: a resource owned by another stack is refused,
the reconciler's own tags and AWS's are left out, and a document is checked against the
kind's model before it is written (`reconciler.importer` puts the documents together)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from reconciler.errors import PlanError
from reconciler.live.model import STACK_TAG
from reconciler.spec.common import SpecModel, is_union_tag
from reconciler.spec.source import format_path


@dataclass
class Documents:
    """One kind's part of an imported spec: a document per resource, by name; notes for the
    person running the import; and the values import wrote as ``${env.NAME}`` references,
    which stay unescaped."""

    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    references: frozenset[str] = frozenset()


def own_tags(tags: dict[str, str], *, ours: Collection[str] = (STACK_TAG,)) -> dict[str, str]:
    """The tags a spec declares: not the reconciler's own (``ours``), nor AWS's ``aws:``."""
    return {k: v for k, v in sorted(tags.items()) if k not in ours and not k.startswith("aws:")}


def refuse_foreign(address: str, owner: str | None, stack: str) -> None:
    if owner is not None and owner != stack:
        raise PlanError(
            f"tagged {STACK_TAG}={owner}; import it with --stack {owner}, or remove "
            "the tag first: two stacks never manage one resource",
            address=address,
        )


def checked(model: type[SpecModel], address: str, value: dict[str, Any]) -> Any:
    """``value`` as the kind's ``model``: an import never writes what the spec would refuse."""
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        problems = "; ".join(
            f"{format_path(tuple(p for p in e['loc'] if not is_union_tag(p)))}: {e['msg']}"
            for e in exc.errors()
        )
        raise PlanError(
            f"its live configuration cannot be written as a spec ({problems})",
            address=address,
        ) from exc
