"""The resource-kind interface: everything the pipeline asks of a kind, in one place.

The reader, the planner, the order, the executor, the re-check of a saved plan, drift, import,
``permissions`` and ``destroy`` iterate the kinds (`reconciler.kinds.registry`) and call these;
none of them names a kind, and what a kind keeps of the live state, or puts in a change beyond
its address, action and aspects, is its own (Terraform's provider boundary is the model). Each
kind's package implements `ResourceKind` in its ``kind`` module:

- **declared**: its `Declaration` (the spec's section, the model, the offline rules, what a
  resource refers to);
- **found and read**: `read` takes what the plan covers (`ReadContext`) and returns the kind's
  part of the live state (opaque to everyone else), reading through the clients;
- **planned**: `plan` compares the declared resources with its part of the live state (and, for
  references, other kinds' parts) and returns changes and diagnostics;
- **ordered**: the declared references order creates and updates (`Declaration.references`);
  `uses_now` says what a resource uses as it is live now, so that a deletion waits for it;
- **written**: `steps` turns a change into typed steps the generic executor runs, each checking
  the contract's safety rules at the moment it runs;
- **fingerprinted**: `moved_parts` says which parts of a saved change's live state moved;
- **reported**: `drift` adds what only the kind knows (unmanaged parts, unreadable resources,
  resources no stack owns);
- **imported** and **permitted**: `importing` and `statements`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from reconciler.address import Address
from reconciler.kinds.declaration import Declaration
from reconciler.live.model import LiveState

if TYPE_CHECKING:
    from reconciler.apply.guard import Guard
    from reconciler.aws.cloudfront import CloudFrontClient
    from reconciler.aws.cloudfront_waiters import Waiter
    from reconciler.aws.s3 import S3Client
    from reconciler.aws.steps import Task
    from reconciler.iam_policy import Command
    from reconciler.importing import Documents
    from reconciler.plan.model import Diagnostic, ResourceChange
    from reconciler.retries import Backoff
    from reconciler.spec.model import Spec

#: Runs a phase's reads (each written as steps), a bounded number at once: ``(label, tasks)``.
Runner = Callable[[str, "list[Task]"], None]
Position = Callable[[tuple[str | int, ...]], str | None]


@dataclass(frozen=True)
class Clients:
    """The clients a kind reads and writes through (``cloudfront`` ``None``: no distribution
    or other CloudFront resource is read)."""

    s3: S3Client
    cloudfront: CloudFrontClient | None = None


@dataclass(frozen=True)
class ReadContext:
    """What one kind must read for a plan. ``covered``: the declared names a plan covers
    (``None``: every one, and the resources this stack owns that the spec no longer declares,
    to prune them); ``every_part``: read the parts the spec leaves out too (``drift
    --all-aspects``); ``referenced``: the resources of this kind that other resources refer to
    and the spec does not declare, each with what checking the reference needs."""

    spec: Spec
    covered: frozenset[str] | None
    every_part: bool = False
    referenced: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: How many requests the reader runs at once.
    parallelism: int = 16

    @property
    def stack(self) -> str:
        return self.spec.stack


@dataclass(frozen=True)
class PlanOptions:
    """``default_region``: where buckets without a region go. ``replace``: addresses the user
    allows to be destroyed and created again (a region change). ``targets``: limit the plan to
    these resources and what they depend on. ``destroy``: a destroy plan (a declared resource
    this stack does not own is left alone with a warning rather than refused)."""

    default_region: str
    replace: frozenset[str] = frozenset()
    targets: frozenset[str] = frozenset()
    spec_digest: str = ""
    position: Position | None = None
    destroy: bool = False


@dataclass(frozen=True)
class PlanContext:
    """What a kind plans from: the spec, the whole live state, the options, and the names of
    its declared resources the plan covers (``None``: all, and pruning)."""

    spec: Spec
    live: LiveState
    options: PlanOptions
    covered: frozenset[str] | None

    @property
    def stack(self) -> str:
        return self.spec.stack

    def locate(self, path: tuple[str | int, ...]) -> str | None:
        return self.options.position(path) if self.options.position else None


@dataclass
class KindPlan:
    """One kind's part of a plan."""

    changes: list[ResourceChange] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unchanged: int = 0


class StepStatus(StrEnum):
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Step:
    """One step of a change, run by the executor after the steps before it on the same
    resource: ``part`` is what it acts on (``bucket``, an aspect, ``distribution``,
    ``deployment``...), ``action`` what it does; ``run`` does it (retrying what is its own to
    retry, checking the safety rules first), raising a `ReconcilerError` when it fails."""

    part: str
    action: str
    run: Callable[[], None]


@dataclass(frozen=True)
class ApplyContext:
    """What a kind's steps run with: the clients, the rules checked before each destructive
    step, CloudFront's waiter, the retry policy and the clock's sleep, and the plan's stack and
    spec digest."""

    clients: Clients
    guard: Guard
    stack: str
    spec_digest: str
    backoff: Backoff
    sleep: Callable[[float], None]
    waiter: Waiter | None = None
    #: How many requests a step may have under way at once (``--parallelism``).
    parallelism: int = 16


@dataclass(frozen=True)
class DriftFinding:
    """What a kind adds to a drift report about one of its resources: a part the spec leaves
    out that is set (``unmanaged_aspect``)."""

    path: str
    actual: Any


@dataclass(frozen=True)
class Unmanaged:
    """A resource of the account that no stack owns and the spec does not declare."""

    name: str
    reason: str
    id: str | None = None


class KindDefaults:
    """What most kinds answer the same way: a resource uses no other now, every read either
    succeeds or ends the read, nothing is set that the spec leaves out, no ARN names the
    account. A kind overrides what it knows better."""

    def uses_now(self, change: ResourceChange, live: LiveState) -> set[Address]:
        return set()

    def unreadable(self, live: LiveState) -> dict[str, str]:
        return {}

    def unmanaged_parts(self, spec: Spec, live: LiveState, name: str) -> Iterator[DriftFinding]:
        return iter(())

    def account(self, live: LiveState) -> str | None:
        return None


class ResourceKind(Protocol):
    """One kind of resource, whole (see the module's docstring)."""

    @property
    def declaration(self) -> Declaration: ...

    def read(self, clients: Clients, context: ReadContext, run: Runner) -> Any:
        """The kind's part of the live state for ``context``."""
        ...

    def plan(self, context: PlanContext) -> KindPlan:
        """The changes and diagnostics of the kind's covered resources (pure)."""
        ...

    def uses_now(self, change: ResourceChange, live: LiveState) -> set[Address]:
        """The resources the live resource of ``change`` uses now (a deletion of one of them
        waits for ``change``)."""
        ...

    def steps(self, change: ResourceChange, context: ApplyContext) -> list[Step]:
        """The steps of ``change``, in order."""
        ...

    def moved_parts(self, change: ResourceChange, live: LiveState, stack: str) -> list[str] | None:
        """The parts of a saved ``change``'s live state that differ in ``live`` (read now for
        stack ``stack``); ``None`` when ``live`` holds nothing to compare with."""
        ...

    def unreadable(self, live: LiveState) -> dict[str, str]:
        """The kind's resources whose live state could not be read, by name, with why."""
        ...

    def unmanaged(self, live: LiveState, adopted: frozenset[str]) -> Iterator[Unmanaged]:
        """The account's resources of this kind that no stack owns (not those the plan
        adopts, by id)."""
        ...

    def unmanaged_parts(self, spec: Spec, live: LiveState, name: str) -> Iterator[DriftFinding]:
        """The parts of declared resource ``name`` the spec leaves out that are set live."""
        ...

    def account(self, live: LiveState) -> str | None:
        """The AWS account id, when something the kind read names it (an ARN)."""
        ...

    def import_unmanaged(
        self, clients: Clients, run: Runner, *, stack: str, parallelism: int
    ) -> list[str]:
        """The names (or ids) of the account's resources of this kind that no stack owns."""
        ...

    def import_read(
        self, clients: Clients, run: Runner, names: list[str], *, stack: str, parallelism: int
    ) -> Any:
        """The kind's part of the live state holding everything of the named resources."""
        ...

    def import_documents(self, live: LiveState, stack: str, names: list[str]) -> Documents:
        """A spec document per named resource, as ``reconciler import`` writes it."""
        ...

    def statements(self, spec: Spec, command: Command) -> list[dict[str, Any]]:
        """The IAM policy statements ``command`` needs for the kind's resources in ``spec``."""
        ...
