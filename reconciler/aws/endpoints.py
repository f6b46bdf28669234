"""Where an S3 request goes: host and path for a bucket and key in a region.

On AWS, buckets whose names are DNS-safe are addressed virtual-hosted style
(``https://BUCKET.s3.REGION.amazonaws.com/KEY``); names with dots use path style, because the
extra DNS labels would not match AWS's wildcard certificate. A custom endpoint (an emulator, an
S3-compatible store) is addressed path style, as the AWS CLI does by default.

The profile's ``addressing_style`` changes that as in the AWS CLI: ``path`` always uses path
style; ``virtual`` puts the bucket in the host name, on AWS and on a custom endpoint alike (a
store that serves ``BUCKET.host``); ``auto`` is the default described above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, urlsplit

from reconciler.aws.signing import uri_encode
from reconciler.names import is_virtual_host_safe


def aws_domain(region: str) -> str:
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


#: AWS's region names, per partition: ``us-east-1``, ``cn-north-1``, ``us-gov-west-1``,
#: ``us-isob-east-1``.
_PARTITIONS = {
    "aws-cn": re.compile(r"cn-[a-z]+-[0-9]{1,2}"),
    "aws-us-gov": re.compile(r"us-gov-[a-z]+-[0-9]{1,2}"),
    "aws-iso": re.compile(r"[a-z]{2}-iso[a-z]?-[a-z]+-[0-9]{1,2}"),
    "aws": re.compile(r"(?!cn-|us-gov-)[a-z]{2}-[a-z]+-[0-9]{1,2}"),
}
#: A region an S3-compatible store names (``auto``, ``default``, ``garage``): never part of a
#: host name there (its endpoint is given), but signed into every request.
_STORE_REGION = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def partition(region: str) -> str:
    """The AWS partition ``region`` is in (``aws`` for a name of none)."""
    for name, pattern in _PARTITIONS.items():
        if pattern.fullmatch(region):
            return name
    return "aws"


def region_fits(region: str, *, home: str, custom_endpoint: bool) -> bool:
    """Whether ``region``, taken from an answer, may be used: a region of ``home``'s partition
    on AWS (it builds the host name the next request goes to), a plain name on a custom
    endpoint."""
    if custom_endpoint:
        return _STORE_REGION.fullmatch(region) is not None
    return _PARTITIONS[partition(home)].fullmatch(region) is not None


@dataclass(frozen=True)
class Location:
    root: str  # scheme://host[:port]
    path: str  # percent-encoded, starting with "/"


@dataclass(frozen=True)
class S3Addressing:
    endpoint_url: str | None = None
    style: str = "auto"

    def locate(self, *, bucket: str | None, key: str = "", region: str) -> Location:
        encoded_key = uri_encode(key, keep_slash=True)
        virtual = bucket is not None and self.style == "virtual" and is_virtual_host_safe(bucket)
        if self.endpoint_url:
            parts = _split(self.endpoint_url)
            root = f"{parts.scheme}://{parts.netloc}"
            prefix = parts.path.rstrip("/")
            if bucket is None:
                return Location(root, prefix + "/")
            if virtual:
                return Location(
                    f"{parts.scheme}://{bucket}.{parts.netloc}", f"{prefix}/{encoded_key}"
                )
            tail = f"/{encoded_key}" if key else ""
            return Location(root, f"{prefix}/{uri_encode(bucket, keep_slash=False)}{tail}")
        service_host = f"s3.{region}.{aws_domain(region)}"
        if bucket is None:
            return Location(f"https://{service_host}", "/")
        if self.style != "path" and is_virtual_host_safe(bucket):
            return Location(f"https://{bucket}.{service_host}", f"/{encoded_key}")
        tail = f"/{encoded_key}" if key else ""
        return Location(f"https://{service_host}", f"/{uri_encode(bucket, keep_slash=False)}{tail}")


@lru_cache(maxsize=16)
def _split(url: str) -> SplitResult:
    return urlsplit(url)
