"""Every resource kind, in plan order: the one list the spec, the reader, the planner, the
executor, drift, import, ``permissions`` and ``destroy`` iterate. A kind is named here once, by
its package; the spec's side takes each package's ``declaration`` module (pure), the rest its
``kind`` module, so that loading a spec never imports the client, and the command line its
``options`` module, so that ``--help`` imports no model.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from reconciler.kinds.base import ResourceKind
    from reconciler.kinds.declaration import Declaration
    from reconciler.kinds.options import ImportOption

#: The kinds' packages below ``reconciler.kinds``, in plan order (what another refers to first).
PACKAGES: tuple[str, ...] = ("bucket", "origin_access_control", "distribution", "content")


@cache
def declarations() -> tuple[Declaration, ...]:
    """Each kind as the spec sees it (`Declaration`), in plan order."""
    return tuple(
        cast("Declaration", import_module(f"reconciler.kinds.{p}.declaration").DECLARATION)
        for p in PACKAGES
    )


@cache
def kinds() -> tuple[ResourceKind, ...]:
    """Each kind whole (`ResourceKind`), in plan order."""
    return tuple(
        cast("ResourceKind", import_module(f"reconciler.kinds.{p}.kind").KIND) for p in PACKAGES
    )


def declaration(kind: str) -> Declaration:
    """The declaration of the kind named ``kind``."""
    for found in declarations():
        if found.kind == kind:
            return found
    raise ValueError(f"unknown kind of resource {kind!r}")


def kind(name: str) -> ResourceKind:
    """The kind named ``name``."""
    for found in kinds():
        if found.declaration.kind == name:
            return found
    raise ValueError(f"unknown kind of resource {name!r}")


def kind_names() -> tuple[str, ...]:
    return tuple(d.kind for d in declarations())


@cache
def import_options() -> tuple[ImportOption, ...]:
    """How ``reconciler import`` names each kind's resources, in plan order."""
    return tuple(
        cast("ImportOption", import_module(f"reconciler.kinds.{p}.options").IMPORT)
        for p in PACKAGES
    )
