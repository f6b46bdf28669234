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

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, urlsplit

from reconciler.aws.signing import uri_encode
from reconciler.names import is_virtual_host_safe


def aws_domain(region: str) -> str:
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


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
