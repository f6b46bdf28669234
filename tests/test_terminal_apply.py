"""Apply as a person sees it on a terminal (a pseudo-terminal here): each finished step printed
once under a live progress line, nothing printed twice; Ctrl-C acknowledged at once, the
requests under way finished, the rest summarised per resource; a second Ctrl-C aborts without
Python noise. The uninterrupted output is pinned as a snapshot (tests/snapshots/)."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.cli import user_env
from tests.stub_server import Answer, Received, stub_server
from tests.test_full_values import check_snapshot

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def spec(count: int) -> str:
    return "version: 1\nstack: tty\nbuckets:\n" + "".join(
        f"  tty-bucket-{i:02d}: {{versioning: enabled}}\n" for i in range(count)
    )


def on_a_terminal(
    tmp_path: Path,
    endpoint: str,
    *args: str,
    interrupt_after: str | None = None,
    twice: bool = False,
    answer: tuple[str, str] | None = None,
) -> tuple[int, str]:
    """Runs the command on a pseudo-terminal; sends Ctrl-C (SIGINT) once ``interrupt_after``
    appears in the output (twice, a moment apart, with ``twice``). The exit code and the
    screen's text (what a terminal would show once the live line is overwritten)."""
    master, slave = pty.openpty()
    env = {**os.environ, **user_env(tmp_path, endpoint=endpoint, secret="tty-secret")}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", *args],
        cwd=tmp_path,
        env=env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
    )
    os.close(slave)
    raw = b""
    sent = 0
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            raw += chunk
        seen = ANSI.sub("", raw.decode("utf-8", "replace"))
        if answer and answer[0] in seen:
            os.write(master, answer[1].encode() + b"\r")
            answer = None
        if interrupt_after and interrupt_after in seen and sent < (2 if twice else 1):
            time.sleep(0.5)  # let the request under way start
            process.send_signal(signal.SIGINT)
            sent += 1
        if process.poll() is not None and not ready:
            break
    code = process.wait(timeout=30)
    os.close(master)
    text = ANSI.sub("", raw.decode("utf-8", "replace"))
    # A live line ends with \r and is overwritten by the next: keep what stays on screen.
    screen = "\n".join(line.split("\r")[-1] for line in text.replace("\r\n", "\n").split("\n"))
    return code, screen


def test_apply_on_a_terminal_prints_each_step_once(endpoint: str, tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(spec(3))
    code, screen = on_a_terminal(
        tmp_path, endpoint, "apply", "--auto-approve", "--parallelism", "1"
    )
    assert code == 0, screen
    for name in ("tty-bucket-00", "tty-bucket-01", "tty-bucket-02"):
        assert screen.count(f"done bucket.{name} (create)") == 1
        assert screen.count(f"done bucket.{name}.versioning (create)") == 1
    assert "Apply results:" not in screen  # the steps were shown as they finished
    timing = re.sub(r"in \d+\.\d s", "in N s", screen)
    check_snapshot("apply-on-a-terminal.txt", timing.strip() + "\n")


def test_ctrl_c_stops_after_the_requests_under_way(endpoint: str, tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(spec(120))
    code, screen = on_a_terminal(
        tmp_path,
        endpoint,
        "apply",
        "--auto-approve",
        "--parallelism",
        "1",
        interrupt_after="done bucket.tty-bucket-01 (create)",
    )
    assert code == 1, screen
    assert "Stopping after the requests under way; Ctrl-C again to abort." in screen
    not_started = [line for line in screen.splitlines() if "not started bucket." in line]
    assert len(not_started) >= 20  # one line per resource, not one per step
    assert all(line.count("bucket.") == 1 for line in not_started)
    assert "Apply interrupted:" in screen
    assert "Error: the apply was interrupted; run apply again to continue" in screen
    assert "Traceback" not in screen
    assert "Exception ignored" not in screen


def slow_store(received: Received) -> Answer:
    """An S3 that has no buckets and takes its time to create one."""
    if received.method == "GET" and received.path.split("?")[0] == "/":
        body = b'<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Buckets/></ListAllMyBucketsResult>'
        return Answer(200, body)
    if received.method == "HEAD":
        return Answer(404)
    return Answer(200, b"", delay=3.0)


def test_a_second_ctrl_c_aborts_without_python_noise(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(spec(5))
    with stub_server(route=slow_store) as store:
        code, screen = on_a_terminal(
            tmp_path,
            store.url,
            "apply",
            "--auto-approve",
            "--parallelism",
            "1",
            interrupt_after="Plan: 5 to create",
            twice=True,
        )
    assert "Stopping after the requests under way; Ctrl-C again to abort." in screen
    assert code == 130, screen
    assert "Aborted: the requests under way may or may not have been applied" in screen
    assert "Traceback" not in screen
    assert "Exception ignored" not in screen
    assert "KeyboardInterrupt" not in screen


def test_destroy_on_a_terminal_asks_for_the_stack_name(endpoint: str, tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(spec(1))
    assert on_a_terminal(tmp_path, endpoint, "apply", "--auto-approve")[0] == 0
    code, screen = on_a_terminal(
        tmp_path, endpoint, "destroy", answer=("Type the stack's name (tty)", "tti")
    )
    assert code == 1
    assert "destroy cancelled; nothing was deleted" in screen
    code, screen = on_a_terminal(
        tmp_path, endpoint, "destroy", answer=("Type the stack's name (tty)", "tty")
    )
    assert code == 0, screen
    assert "done bucket.tty-bucket-00 (delete)" in screen
