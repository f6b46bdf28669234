"""An apply against an endpoint that misbehaves, as a user runs it: the emulator behind a
server that pushes a stray answer on a kept connection and refuses the versioning write with
a 403 whose message and request id carry terminal escape sequences. The apply reports the
403, exits 1, says what was done and what was not, and prints no escape sequence, key or
signature."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli import run_cli, user_env
from tests.hostile_server import forwarding, raw_server, request_line
from tests.stub_server import s3_error

SECRET = "hostile-apply-secret-never-printed"
SPEC = """\
version: 1
stack: hostile
buckets:
  hostile-site:
    versioning: enabled
"""
STRAY = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
#: In an XML <Message>: C1 control sequences and a carriage return (XML holds no ESC).
FORGED = "\u009b2J\u009b1;1HNo changes.&#13;"


def test_a_refused_write_after_a_stray_answer_is_reported_and_the_apply_fails(
    endpoint: str, tmp_path: Path
) -> None:
    requests: list[bytes] = []

    def answer(_: int, request: bytes) -> bytes | None:
        requests.append(request)
        line = request_line(request)
        if line.startswith("PUT ") and "?versioning" in line:
            body = s3_error("AccessDenied", f"Access Denied{FORGED}")
            return (
                b"HTTP/1.1 403 Forbidden\r\nx-amz-request-id: REQ\x1b[8m403\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
        return None

    (tmp_path / "reconciler.yaml").write_text(SPEC, encoding="utf-8")
    with raw_server(forwarding(endpoint, answer, stray=STRAY)) as (url, accepted):
        env = user_env(tmp_path, endpoint=url, secret=SECRET)
        applied = run_cli("apply", "--auto-approve", cwd=tmp_path, env=env)
    output = applied.stdout + applied.stderr
    assert applied.returncode == 1, output
    assert "done bucket.hostile-site (create)" in applied.stdout
    assert "Apply complete" not in output
    assert (
        "FAILED bucket.hostile-site.versioning (create): bucket.hostile-site: AccessDenied: "
        "PutBucketVersioning: Access Denied" in applied.stdout
    )
    assert "(HTTP 403, request id REQ" in applied.stdout
    assert "Apply failed: 2 step(s) done, 1 failed, 0 skipped." in applied.stdout
    assert not re.search("[\x1b\x9b\r]", output)  # control characters shown escaped...
    assert "Access Denied\\x9b2J\\x9b1;1HNo changes.\\x0d" in output  # ...as what they are
    assert "request id REQ\\x1b[8m403" in output
    assert len(accepted) >= 2  # the connection the stray bytes came on was not used again
    signatures = {
        found
        for request in requests
        for found in re.findall(r"Signature=([0-9a-f]{64})", request.decode("latin-1"))
    }
    assert signatures
    for secret in [SECRET, *signatures]:
        assert secret not in output
