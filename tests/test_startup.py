"""Commands import only what they need: ``--help`` and ``schema`` start without building the
spec's models (pydantic), nor the client, which is most of a start (the times are measured by
``bench/bench_plan_latency.py``, not asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import contextlib, io, json, sys
from reconciler.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    sys.argv = ["reconciler", *sys.argv[1:]]
    main()
print(json.dumps(sorted(sys.modules)))
"""


def modules_after(*argv: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("argv", [("--help",), ("schema",), ("plan", "--help")])
def test_a_command_that_reads_no_spec_builds_no_model(argv: tuple[str, ...]) -> None:
    loaded = modules_after(*argv)
    assert "reconciler.cli" in loaded  # (the probe ran the command)
    assert (
        not {"pydantic", "reconciler.spec.model", "reconciler.kinds.bucket.aspects.registry"}
        & loaded
    )
    assert not {"asyncio", "reconciler.aws.transport", "requests"} & loaded
