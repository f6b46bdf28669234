"""Ceph's RADOS Gateway (RGW), the S3 that many companies run in production, started by the tests:
one host, one monitor, one memstore OSD, one manager and radosgw on loopback.

The tool that runs it lives beside the project (``../shared/tools/ceph-rgw``). It installs
Debian's packages when they are missing (``.ci/run`` installs them first, so that a test run
never waits on the package mirror) and starts the cluster on FIXED loopback ports (3300, 6789,
7480) in the folder given as ``CEPH_DIR``, about 15 s. It is started once per test session and
stopped at its end; every test uses buckets of its own names, since the cluster keeps state.

Ceph RGW is not AWS. Where they differ, AWS's documented behaviour wins, and the test that works
around a deviation names it (docs/credentials.md lists them all): its zonegroup (``default``)
is the region.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

#: Where the tool is looked for: the environment's choice first, then beside the checkout.
CANDIDATES = (
    os.environ.get("RECONCILER_CEPH_RGW", ""),
    str(Path(__file__).resolve().parent.parent.parent / "shared" / "tools" / "ceph-rgw"),
)
#: Installing the packages (when missing) and starting the cluster.
START_TIMEOUT = 900
STOP_TIMEOUT = 120
#: The second user the tool creates, for ACL grants and bucket policies naming another user.
OTHER_USER = "other"
OTHER_KEYS = ("OTHERTESTKEY000001", "otherTestSecretKey0123456789abcdef")


@dataclass(frozen=True)
class Rgw:
    endpoint: str
    access_key: str
    secret_key: str
    #: RGW's zonegroup, which it answers as the region (``default``).
    region: str

    def env(self, home: Path) -> dict[str, str]:
        """A user's environment for the command line: RGW as the endpoint, the S3 user's keys
        in the environment, no shared AWS files."""
        nowhere = str(home / "none")
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_REGION": self.region,
            "AWS_CONFIG_FILE": nowhere,
            "AWS_SHARED_CREDENTIALS_FILE": nowhere,
        }


def tool() -> str:
    for candidate in CANDIDATES:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError(
        "the Ceph RGW runner was not found (looked in: "
        + ", ".join(c for c in CANDIDATES if c)
        + "); set RECONCILER_CEPH_RGW to its path"
    )


def _exports(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        if line.startswith("export ") and "=" in line:
            name, _, value = line[len("export ") :].partition("=")
            found[name] = value
    return found


@contextmanager
def ceph_rgw(folder: Path) -> Iterator[Rgw]:
    """Start the cluster in ``folder``, yield its endpoint and keys, stop it."""
    runner = tool()
    env = {**os.environ, "CEPH_DIR": str(folder / "cluster")}
    try:
        started = subprocess.run(
            [runner], env=env, capture_output=True, text=True, timeout=START_TIMEOUT, check=False
        )
        if started.returncode != 0:
            raise RuntimeError(
                f"Ceph RGW did not start (exit {started.returncode}): "
                + started.stderr.strip()[-2000:]
            )
        exported = _exports(started.stdout)
        yield Rgw(
            endpoint=exported["AWS_ENDPOINT_URL"],
            access_key=exported["AWS_ACCESS_KEY_ID"],
            secret_key=exported["AWS_SECRET_ACCESS_KEY"],
            region=exported["AWS_REGION"],
        )
    finally:
        subprocess.run(
            [runner, "stop"], env=env, capture_output=True, timeout=STOP_TIMEOUT, check=False
        )


@pytest.fixture(scope="session")
def rgw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rgw]:
    """Ceph RGW for the whole session (started on first use)."""
    with ceph_rgw(tmp_path_factory.mktemp("ceph")) as found:
        yield found
