"""What the content kind needs of IAM: per content, its bucket's listing and the objects below
its prefix and its manifest read (a HEAD of those the manifest cannot vouch for); for apply,
written, copied, uploaded in parts (and those uploads aborted) and deleted; the distribution it
invalidates found (by its tags) and invalidated; and for pruning, the manifests of the spec's
buckets listed and read."""

from __future__ import annotations

from typing import Any

from reconciler.aws.iam import bucket_arn
from reconciler.iam_policy import Command, actions, statement
from reconciler.kinds.bucket.declared import buckets
from reconciler.kinds.content import manifest
from reconciler.kinds.content.declared import contents
from reconciler.spec.model import Spec

_READS = ("GetObject", "HeadObject")
_WRITES = (
    "PutObject",
    "CopyObject",
    "CreateMultipartUpload",
    "UploadPart",
    "CompleteMultipartUpload",
    "AbortMultipartUpload",
    "ListParts",
    "DeleteObjects",
)
_INVALIDATION = ("ListDistributions", "ListTagsForResource", "CreateInvalidation")


def statements(spec: Spec, command: Command) -> list[dict[str, Any]]:
    declared = contents(spec)
    writes = command in ("apply", "destroy")
    objects: list[str] = []
    listed: set[str] = set()
    for name, content in sorted(declared.items()):
        arn = bucket_arn(content.bucket)
        listed.add(arn)
        objects += [f"{arn}/{content.prefix}*", f"{arn}/{manifest.key_of(name)}"]
    found = []
    if command != "import":
        listed |= {bucket_arn(b) for b, v in buckets(spec).items() if v.state != "absent"}
        objects += [f"{bucket_arn(b)}/{manifest.DIRECTORY}*" for b in sorted(buckets(spec))]
    if listed:
        bucket_ops = ["ListObjectsV2", *(["ListMultipartUploads"] if writes else [])]
        found.append(statement("ContentListings", actions(bucket_ops), sorted(listed)))
    if objects:
        operations = [*_READS, *(_WRITES if writes else ())]
        found.append(statement("ContentObjects", actions(operations), sorted(set(objects))))
    if command == "apply" and any(c.invalidate for c in declared.values()):
        found.append(statement("ContentInvalidations", actions(_INVALIDATION), ["*"]))
    return found
