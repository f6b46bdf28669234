"""The AWS regions a bucket may name, so that a typo (``eu-wst-1``) is an error with a "did you
mean" instead of a plan that fails at CreateBucket. A region opened after this list was written,
or an S3-compatible store's own region names, pass with ``region_check: false`` in the spec.
"""

from __future__ import annotations

import re
from difflib import get_close_matches

#: Every partition's regions (aws, aws-cn, aws-us-gov, the ISO partitions, the European
#: Sovereign Cloud), as AWS's endpoint data lists them.
KNOWN_REGIONS = frozenset(
    {
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2",
        "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2",
        "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
        "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
        "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
        "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1",
        "us-west-2",
        "cn-north-1", "cn-northwest-1",
        "us-gov-east-1", "us-gov-west-1",
        "us-iso-east-1", "us-iso-west-1", "us-isob-east-1", "us-isob-west-1", "eu-isoe-west-1",
        "us-isof-east-1", "us-isof-south-1",
        "eusc-de-east-1",
    }
)  # fmt: skip
_SHAPE = re.compile(r"^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$")
ESCAPE = "region_check: false"


def region_problem(region: str, *, check: bool) -> str | None:
    """What is wrong with ``region``, or ``None``. With ``check`` off only the shape is
    checked (a store's region names are its own)."""
    if region in KNOWN_REGIONS:
        return None
    if not check:
        return None if region.strip() else "a region must not be empty"
    close = get_close_matches(region, sorted(KNOWN_REGIONS), n=1, cutoff=0.75)
    hint = f" (did you mean {close[0]!r}?)" if close else " (such as eu-west-1)"
    kind = "not an AWS region" if not _SHAPE.match(region) else "not a known AWS region"
    return (
        f"{region!r} is {kind}{hint}; for a region newer than this release, or an "
        f"S3-compatible store's own region names, set {ESCAPE} at the top of the spec"
    )
