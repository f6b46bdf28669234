"""The IAM action each API operation of the client needs, and the resource it is checked on.

One table, read twice: an ``AccessDenied`` names the action that was refused (so the person who
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
    # S3: configuration sub-resources
    "GetBucketAcl": (("s3:GetBucketAcl",), "bucket"),
    "PutBucketAcl": (("s3:PutBucketAcl",), "bucket"),
    "GetBucketTagging": (("s3:GetBucketTagging",), "bucket"),
    "PutBucketTagging": (("s3:PutBucketTagging",), "bucket"),
    "DeleteBucketTagging": (("s3:PutBucketTagging",), "bucket"),
    "GetBucketLifecycleConfiguration": (("s3:GetLifecycleConfiguration",), "bucket"),
    "PutBucketLifecycleConfiguration": (("s3:PutLifecycleConfiguration",), "bucket"),
    "DeleteBucketLifecycle": (("s3:PutLifecycleConfiguration",), "bucket"),
    "GetBucketLogging": (("s3:GetBucketLogging",), "bucket"),
    "PutBucketLogging": (("s3:PutBucketLogging",), "bucket"),
    "GetBucketVersioning": (("s3:GetBucketVersioning",), "bucket"),
    "PutBucketVersioning": (("s3:PutBucketVersioning",), "bucket"),
    "GetBucketPolicy": (("s3:GetBucketPolicy",), "bucket"),
    "PutBucketPolicy": (("s3:PutBucketPolicy",), "bucket"),
    "DeleteBucketPolicy": (("s3:DeleteBucketPolicy",), "bucket"),
    "GetPublicAccessBlock": (("s3:GetBucketPublicAccessBlock",), "bucket"),
    "PutPublicAccessBlock": (("s3:PutBucketPublicAccessBlock",), "bucket"),
    "DeletePublicAccessBlock": (("s3:PutBucketPublicAccessBlock",), "bucket"),
    "GetBucketEncryption": (("s3:GetEncryptionConfiguration",), "bucket"),
    "PutBucketEncryption": (("s3:PutEncryptionConfiguration",), "bucket"),
    "DeleteBucketEncryption": (("s3:PutEncryptionConfiguration",), "bucket"),
    "GetBucketCors": (("s3:GetBucketCORS",), "bucket"),
    "PutBucketCors": (("s3:PutBucketCORS",), "bucket"),
    "DeleteBucketCors": (("s3:PutBucketCORS",), "bucket"),
    "GetBucketWebsite": (("s3:GetBucketWebsite",), "bucket"),
    "PutBucketWebsite": (("s3:PutBucketWebsite",), "bucket"),
    "DeleteBucketWebsite": (("s3:DeleteBucketWebsite",), "bucket"),
    "GetBucketOwnershipControls": (("s3:GetBucketOwnershipControls",), "bucket"),
    "PutBucketOwnershipControls": (("s3:PutBucketOwnershipControls",), "bucket"),
    "DeleteBucketOwnershipControls": (("s3:PutBucketOwnershipControls",), "bucket"),
    # S3: objects (emptiness checks and force_destroy)
    "ListObjectVersions": (("s3:ListBucketVersions",), "bucket"),
    "ListObjectsV2": (("s3:ListBucket",), "bucket"),
    "DeleteObjects": (("s3:DeleteObject", "s3:DeleteObjectVersion"), "object"),
    "DeleteObject": (("s3:DeleteObject",), "object"),
    "GetObject": (("s3:GetObject",), "object"),
    "HeadObject": (("s3:GetObject",), "object"),
    "PutObject": (("s3:PutObject",), "object"),
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


def refused(operation: str, bucket: str | None) -> str | None:
    """What to say about a refused ``operation``: the IAM action(s) and the resource."""
    found = OPERATIONS.get(operation)
    if found is None:
        return None
    actions, scope = found
    return f"the IAM action {' and '.join(actions)} on {resource(scope, bucket)} was refused"
