"""Reading the live state: each kind reads its own part, only what the plan covers, through the
clients, its reads run ``parallelism`` at once on one event loop.

What is read of each kind is the kind's business (`ResourceKind.read`); here is what they
share: which kinds a plan reads at all (those the spec manages and the plan covers), the
undeclared resources the covered ones refer to (handed to their own kind, which reads what the
reference needs), and the runner every kind's phases go through (`S3Client.run_many`: the
first error stops the others starting more, and is raised).
"""

from __future__ import annotations

from collections.abc import Callable

from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.s3 import S3Client
from reconciler.aws.steps import Task
from reconciler.kinds.base import Clients, ReadContext
from reconciler.kinds.registry import kinds
from reconciler.live.model import LiveState
from reconciler.plan.scope import Scope, reads, referenced
from reconciler.spec.model import Spec

Progress = Callable[[str, int, int], None]


class LiveReader:
    """Reads live state through an `S3Client` (and a `CloudFrontClient`, without which no
    CloudFront resource is read); ``parallelism`` bounds concurrent requests."""

    def __init__(
        self,
        s3: S3Client,
        *,
        cloudfront: CloudFrontClient | None = None,
        parallelism: int = 16,
        progress: Progress | None = None,
    ) -> None:
        self.clients = Clients(s3, cloudfront)
        self.parallelism = parallelism
        self._progress = progress

    def run(self, label: str, tasks: list[Task]) -> None:
        """Run ``tasks`` (reads written as steps), ``parallelism`` at once, each started as
        another ends. The first error stops the others starting more, and is raised."""
        if not tasks:
            return
        total = len(tasks)
        progress = self._progress
        if progress:
            progress(label, 0, total)
        self.clients.s3.run_many(
            tasks,
            parallelism=self.parallelism,
            progress=(lambda done: progress(label, done, total)) if progress else None,
        )

    def read(
        self, spec: Spec, scope: Scope | None = None, *, every_part: bool = False
    ) -> LiveState:
        """What a plan of ``spec`` covering ``scope`` (everything by default) is made against;
        with ``every_part``, the parts the spec leaves out as well (``drift --all-aspects``)."""
        scope = scope or Scope()
        others = referenced(spec, scope)
        parts = {}
        for kind in kinds():
            declaration = kind.declaration
            asked = others.get(declaration.kind, {})
            if not reads(spec, declaration, scope, bool(asked)):
                continue
            context = ReadContext(
                spec=spec,
                covered=scope.names(declaration.kind),
                every_part=every_part,
                referenced=asked,
                parallelism=self.parallelism,
            )
            parts[declaration.kind] = kind.read(self.clients, context, self.run)
        return LiveState(parts)
