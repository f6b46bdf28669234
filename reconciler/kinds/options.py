"""What a kind adds to the command line: how ``reconciler import`` names its resources. Kept
apart from the kinds' models, so that ``--help`` builds every command without importing them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportOption:
    """``flag`` names one resource of the kind to import (repeatable, ``metavar`` the value:
    a name or an id); ``alone`` is a flag that, with ``--all-unmanaged``, imports this kind
    alone (no request for the others)."""

    kind: str
    flag: str
    metavar: str
    help: str
    alone: str | None = None
    alone_help: str | None = None

    @property
    def dest(self) -> str:
        return f"import_{self.kind}"

    @property
    def alone_dest(self) -> str:
        return f"import_{self.kind}_alone"
