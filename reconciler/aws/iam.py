"""The IAM action each API operation of the client needs, and the resource it is checked on.

One table (and, for a bucket's configuration, the actions each aspect's unit states), read
twice: an ``AccessDenied`` names the action that was refused (so the person who
fixes the role knows what to add), and ``reconciler permissions`` builds a least-privilege policy
from the operations a command will make. Names follow the IAM service authorization reference
(several operations share one action: deleting a lifecycle configuration is
``s3:PutLifecycleConfiguration``).
"""

from __future__ import annotations

from typing import Literal

#: What an action is checked on: the bucket, its objects, or no resource (``*``).
Scope = Literal["bucket", "object", "any"]

OPERATIONS: dict[str, tuple[tuple[str, ...], Scope]] = {
    # S3: the account and buckets
    "ListBuckets": (("s3:ListAllMyBuckets",), "any"),
    "HeadBucket": (("s3:ListBucket",), "bucket"),
    "GetBucketLocation": (("s3:GetBucketLocation",), "bucket"),
    "CreateBucket": (("s3:CreateBucket",), "bucket"),
    "DeleteBucket": (("s3:DeleteBucket",), "bucket"),
    # S3: a bucket's configuration sub-resources: each aspect's unit (in the bucket kind's
    # aspects) states the actions of its own calls, and the client passes them with the request.
    # S3: objects (emptiness checks, force_destroy, site content)
    "ListObjectVersions": (("s3:ListBucketVersions",), "bucket"),
    "ListObjectsV2": (("s3:ListBucket",), "bucket"),
    "DeleteObjects": (("s3:DeleteObject", "s3:DeleteObjectVersion"), "object"),
    "DeleteObject": (("s3:DeleteObject",), "object"),
    "GetObject": (("s3:GetObject",), "object"),
    "HeadObject": (("s3:GetObject",), "object"),
    "PutObject": (("s3:PutObject",), "object"),
    # S3: objects a site's content keeps (its files, its manifest)
    "CopyObject": (("s3:GetObject", "s3:PutObject"), "object"),
    "CreateMultipartUpload": (("s3:PutObject",), "object"),
    "UploadPart": (("s3:PutObject",), "object"),
    "CompleteMultipartUpload": (("s3:PutObject",), "object"),
    "AbortMultipartUpload": (("s3:AbortMultipartUpload",), "object"),
    "ListParts": (("s3:ListMultipartUploadParts",), "object"),
    "ListMultipartUploads": (("s3:ListBucketMultipartUploads",), "bucket"),
    # CloudFront (its actions are not scoped to a distribution here: listing needs "*")
    "ListDistributions": (("cloudfront:ListDistributions",), "any"),
    "ListTagsForResource": (("cloudfront:ListTagsForResource",), "any"),
    "GetDistribution": (("cloudfront:GetDistribution",), "any"),
    "GetDistributionConfig": (("cloudfront:GetDistributionConfig",), "any"),
    "CreateDistributionWithTags": (
        ("cloudfront:CreateDistribution", "cloudfront:TagResource"),
        "any",
    ),
    "UpdateDistribution": (("cloudfront:UpdateDistribution",), "any"),
    "DeleteDistribution": (("cloudfront:DeleteDistribution",), "any"),
    "TagResource": (("cloudfront:TagResource",), "any"),
    "UntagResource": (("cloudfront:UntagResource",), "any"),
    "ListOriginAccessControls": (("cloudfront:ListOriginAccessControls",), "any"),
    "GetOriginAccessControl": (("cloudfront:GetOriginAccessControl",), "any"),
    "CreateOriginAccessControl": (("cloudfront:CreateOriginAccessControl",), "any"),
    "UpdateOriginAccessControl": (("cloudfront:UpdateOriginAccessControl",), "any"),
    "DeleteOriginAccessControl": (("cloudfront:DeleteOriginAccessControl",), "any"),
    "CreateInvalidation": (("cloudfront:CreateInvalidation",), "any"),
    "GetInvalidation": (("cloudfront:GetInvalidation",), "any"),
    "ListInvalidations": (("cloudfront:ListInvalidations",), "any"),
    # STS, for assume-role profiles
    "AssumeRole": (("sts:AssumeRole",), "any"),
}


def bucket_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def resource(scope: Scope, bucket: str | None) -> str:
    if scope == "any" or not bucket:
        return "*"
    return bucket_arn(bucket) + ("/*" if scope == "object" else "")


def refused(operation: str, bucket: str | None, given: tuple[str, ...] = ()) -> str | None:
    """What to say about a refused ``operation``: the IAM action(s) and the resource
    (``given``: the actions the caller states, checked on the bucket)."""
    found = OPERATIONS.get(operation) or ((given, "bucket") if given else None)
    if found is None:
        return None
    actions, scope = found
    return f"the IAM action {' and '.join(actions)} on {resource(scope, bucket)} was refused"
