"""S3 bucket naming rules, as a pure function the spec validator reuses.

These are the rules S3 enforces for general purpose buckets created today (the relaxed legacy
us-east-1 rules no longer apply to new buckets).
"""

from __future__ import annotations

import re

_ALLOWED = re.compile(r"^[a-z0-9.-]+$")
_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid bucket name, or ``None`` when it is."""
    if not 3 <= len(name) <= 63:
        return f"must be 3 to 63 characters long (it has {len(name)})"
    if not _ALLOWED.match(name):
        bad = sorted({c for c in name if not re.match(r"[a-z0-9.-]", c)})
        shown = " ".join(repr(c) for c in bad)
        return f"may hold only lowercase letters, digits, dots and hyphens (found {shown})"
    if not (name[0].isalnum() and name[-1].isalnum()):
        return "must begin and end with a lowercase letter or a digit"
    if ".." in name:
        return "must not contain two adjacent dots"
    if _IPV4.match(name):
        return "must not be formatted as an IP address"
    for prefix in _RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"must not start with the reserved prefix {prefix!r}"
    for suffix in _RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f"must not end with the reserved suffix {suffix!r}"
    return None


def is_virtual_host_safe(name: str) -> bool:
    """Whether the bucket can be addressed as ``NAME.s3.REGION.amazonaws.com`` over TLS.

    Dots would make extra DNS labels that AWS's wildcard certificate does not cover.
    """
    return bucket_name_problem(name) is None and "." not in name
