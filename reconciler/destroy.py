"""``reconciler destroy`` and ``plan --destroy``: delete everything the stack owns, under the
same safety rules as every plan (for per-pull-request preview stacks and the like).

The spec is read as if every resource it declares were ``state: absent`` (each kind says how,
`Declaration.destroyed`); the plan then deletes what carries this stack's tag, prunes what the
stack owns and no longer declares, and refuses what a plan always refuses: a bucket that still
holds objects without ``force_destroy``, any resource with ``prevent_destroy``. A declared
resource that this stack does not own is left as it is, with a warning: destroy never deletes
what the stack did not create or adopt.

A section the spec leaves out stays left out (unmanaged): destroying a bucket-only stack asks
CloudFront nothing, as every other command on such a spec.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from reconciler.kinds.registry import declarations
from reconciler.spec.loader import LoadedSpec
from reconciler.spec.model import Spec


def absent(spec: Spec) -> Spec:
    """``spec`` with every declared resource ``state: absent``."""
    update: dict[str, Any] = {
        # An update marks the field as set: done only where the spec manages the kind.
        d.section: {name: d.destroyed(r) for name, r in d.resources(spec).items()}
        for d in declarations()
        if spec.manages(d.section, always=d.always_managed)
    }
    return spec.model_copy(update=update)


def destroy_spec(loaded: LoadedSpec) -> LoadedSpec:
    """``loaded`` with every declared resource ``state: absent``."""
    return replace(loaded, spec=absent(loaded.spec))
