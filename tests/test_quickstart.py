"""The README's quickstart, run as written: activate the virtual environment, start
``reconciler emulator`` (in the background here, where the README says "a second terminal"),
take the ``export`` lines it prints, then every other line of the block in one shell."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"


def quickstart() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Quickstart", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, "the quickstart has a sh block"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_the_quickstart_lines_are_the_ones_this_test_runs() -> None:
    lines = quickstart()
    assert lines[0] == ". .venv/bin/activate"
    assert lines[1] == "reconciler emulator"
    assert all(line.startswith("reconciler ") for line in lines[2:])
    assert {line.split()[1] for line in lines[2:]} == {"validate", "plan", "apply", "drift"}


def test_the_quickstart_runs_as_written(tmp_path: Path) -> None:
    venv = ROOT / ".venv" / "bin" / "activate"
    if not venv.exists():  # the tests run from make's .venv; elsewhere, make one that points here
        venv.parent.mkdir(parents=True)
        venv.write_text(f'export PATH="{Path(sys.executable).parent}:$PATH"\n')
    activate, start, *rest = quickstart()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") or k == "AWS_EC2_METADATA_DISABLED"
    }
    env["HOME"] = str(tmp_path)  # no shared AWS files: only what the emulator's lines say
    emulator = subprocess.Popen(
        ["bash", "-c", f"{activate} && exec {start}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert emulator.stdout is not None
        exports = [emulator.stdout.readline().strip() for _ in range(2)]
        assert all(line.startswith("export AWS_") for line in exports), exports
        script = "set -e\n" + "\n".join([activate, *exports, *rest]) + "\n"
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    finally:
        emulator.send_signal(signal.SIGTERM)
        _, stderr = emulator.communicate(timeout=20)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "The spec is valid: stack 'acme-web'" in out
    assert "Plan: 4 to create" in out  # two buckets, the distribution, the site's content
    assert "Apply complete" in out
    assert "Plan: 0 to create, 0 to update" in out
    assert "Drift for stack acme-web: 0 drifted, 0 missing, 4 in sync of 4 managed." in out
    assert "Emulator stopped." in stderr
    assert emulator.returncode == 0


@pytest.mark.parametrize("port", ["-1", "70000"])
def test_the_emulator_refuses_a_port_out_of_range(port: str) -> None:
    from tests.cli import run_cli

    done = run_cli("emulator", "--port", port)
    assert done.returncode == 1
    assert "--port" in done.stderr
