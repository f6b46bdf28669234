"""``reconciler destroy`` and ``plan --destroy``: delete everything the stack owns, under the
same safety rules as every plan (for per-pull-request preview stacks and the like).

The spec is read as if every resource it declares were ``state: absent``; the plan then deletes
what carries this stack's tag, prunes what the stack owns and no longer declares, and refuses
what a plan always refuses: a bucket that still holds objects without ``force_destroy``, any
resource with ``prevent_destroy``. A declared resource that this stack does not own is left as
it is, with a warning: destroy never deletes what the stack did not create or adopt.

A spec that leaves ``distributions:`` out still leaves them out (unmanaged): destroying a
bucket-only stack asks CloudFront nothing, as every other command on such a spec.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from reconciler.spec.loader import LoadedSpec
from reconciler.spec.model import Spec


def absent(spec: Spec) -> Spec:
    """``spec`` with every declared bucket and distribution ``state: absent``."""
    update: dict[str, Any] = {
        "buckets": {
            name: bucket.model_copy(update={"state": "absent"})
            for name, bucket in spec.buckets.items()
        }
    }
    if spec.manages_distributions:
        # An update marks the field as set: done only when the spec set it itself.
        update["distributions"] = {
            name: dist.model_copy(update={"state": "absent"})
            for name, dist in spec.distributions.items()
        }
    return spec.model_copy(update=update)


def destroy_spec(loaded: LoadedSpec) -> LoadedSpec:
    """``loaded`` with every declared bucket and distribution ``state: absent``."""
    return replace(loaded, spec=absent(loaded.spec))
