"""Every credential source of the chain, each against a server of its own on loopback: STS
(AssumeRole, AssumeRoleWithWebIdentity), the SSO portal, the container endpoint and IMDSv2; a real
``credential_process`` script; and refreshing before expiry, across threads.

Where moto can play the part it does (tests/test_credentials_iam.py); here the servers check
exactly what AWS's would: the signature's key, the form fields, the bearer and metadata tokens.
"""

from __future__ import annotations

import json
import stat
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from reconciler.aws.credentials.chain import resolve_provider
from reconciler.aws.credentials.context import SourceContext
from reconciler.aws.credentials.provider import RefreshingProvider, Temporary
from reconciler.aws.profiles import SharedFiles
from reconciler.aws.signing import Credentials
from reconciler.errors import CredentialsError
from tests.stub_server import Answer, Received, stub_server

SECRET = "source-secret-never-shown"
WEB_TOKEN = "eyJ-oidc-token-never-shown"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def context(tmp_path: Path, env: dict[str, str] | None = None, **given: object) -> SourceContext:
    base = {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true"}
    full = {**base, **(env or {})}
    return SourceContext(
        env=full,
        files=SharedFiles.from_environment(full),
        region="eu-west-1",
        **given,  # type: ignore[arg-type]
    )


def later(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def sts_answer(action: str, key: str, expires_in: float = 3600) -> Answer:
    body = (
        f'<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<{action}Result><Credentials><AccessKeyId>{key}</AccessKeyId>"
        f"<SecretAccessKey>secret-of-{key}</SecretAccessKey><SessionToken>token-of-{key}"
        f"</SessionToken><Expiration>{later(expires_in)}</Expiration></Credentials>"
        f"</{action}Result></{action}Response>"
    )
    return Answer(200, body.encode(), {"content-type": "text/xml"})


def form(received: Received) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(received.body.decode()).items()}


def signing_key(received: Received) -> str:
    return received.headers["authorization"].split("Credential=")[1].split("/")[0]


# -- web identity ----------------------------------------------------------------------------


def test_web_identity_from_the_environment_as_the_gitlab_example_sets_it(tmp_path: Path) -> None:
    token_file = write(tmp_path / "oidc-token", WEB_TOKEN + "\n")
    with stub_server(sts_answer("AssumeRoleWithWebIdentity", "ASIAWEB")) as sts:
        ctx = context(
            tmp_path,
            {
                "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/ci",
                "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
                "AWS_ROLE_SESSION_NAME": "gitlab-42",
            },
            sts_url=sts.url,
        )
        found = resolve_provider(ctx).get()
    assert found.access_key_id == "ASIAWEB"
    assert found.session_token == "token-of-ASIAWEB"
    [call] = sts.received
    assert call.method == "POST"
    assert "authorization" not in call.headers  # the token proves who asks, not a signature
    assert form(call) == {
        "Action": "AssumeRoleWithWebIdentity",
        "Version": "2011-06-15",
        "RoleArn": "arn:aws:iam::123456789012:role/ci",
        "RoleSessionName": "gitlab-42",
        "WebIdentityToken": WEB_TOKEN,
    }


def test_a_refused_web_identity_names_the_role_and_never_the_token(tmp_path: Path) -> None:
    token_file = write(tmp_path / "oidc-token", WEB_TOKEN)
    refusal = (
        b"<ErrorResponse><Error><Code>AccessDenied</Code><Message>Not authorized to perform "
        b"sts:AssumeRoleWithWebIdentity</Message></Error><RequestId>R1</RequestId></ErrorResponse>"
    )
    with stub_server(Answer(403, refusal)) as sts:
        ctx = context(
            tmp_path,
            {
                "AWS_ROLE_ARN": "arn:aws:iam::1:role/ci",
                "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
            },
            sts_url=sts.url,
        )
        with pytest.raises(CredentialsError) as caught:
            resolve_provider(ctx)
    message = str(caught.value)
    assert "web identity for role arn:aws:iam::1:role/ci" in message
    assert "AccessDenied" in message
    assert WEB_TOKEN not in message
    assert len(sts.received) == 1  # a 403 is final


def test_half_a_web_identity_in_the_environment_is_named(tmp_path: Path) -> None:
    ctx = context(tmp_path, {"AWS_ROLE_ARN": "arn:aws:iam::1:role/ci"})
    with pytest.raises(CredentialsError, match="AWS_WEB_IDENTITY_TOKEN_FILE is not set"):
        resolve_provider(ctx)


def test_web_identity_in_a_profile(tmp_path: Path) -> None:
    token_file = write(tmp_path / "token", WEB_TOKEN)
    write(
        tmp_path / ".aws" / "config",
        f"[profile eks]\nrole_arn = arn:aws:iam::1:role/pod\n"
        f"web_identity_token_file = {token_file}\nrole_session_name = pod-a\n",
    )
    with stub_server(sts_answer("AssumeRoleWithWebIdentity", "ASIAPOD")) as sts:
        found = resolve_provider(context(tmp_path, sts_url=sts.url), profile="eks").get()
    assert found.access_key_id == "ASIAPOD"
    assert form(sts.received[0])["RoleSessionName"] == "pod-a"


# -- assume-role profiles --------------------------------------------------------------------


def test_assume_role_is_signed_with_the_source_profile(tmp_path: Path) -> None:
    write(
        tmp_path / ".aws" / "credentials",
        f"[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = {SECRET}\n",
    )
    write(
        tmp_path / ".aws" / "config",
        "[profile deploy]\nrole_arn = arn:aws:iam::1:role/deploy\nsource_profile = base\n"
        "external_id = ext-7\nduration_seconds = 1800\nrole_session_name = ci-run\n",
    )
    with stub_server(sts_answer("AssumeRole", "ASIADEPLOY")) as sts:
        found = resolve_provider(context(tmp_path, sts_url=sts.url), profile="deploy").get()
    assert found.access_key_id == "ASIADEPLOY"
    [call] = sts.received
    assert signing_key(call) == "AKIDBASE"
    assert "/eu-west-1/sts/aws4_request" in call.headers["authorization"]
    assert form(call) == {
        "Action": "AssumeRole",
        "Version": "2011-06-15",
        "RoleArn": "arn:aws:iam::1:role/deploy",
        "RoleSessionName": "ci-run",
        "ExternalId": "ext-7",
        "DurationSeconds": "1800",
    }


def test_a_two_hop_chain_assumes_each_role_with_the_one_before(tmp_path: Path) -> None:
    write(
        tmp_path / ".aws" / "config",
        "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n"
        "[profile hub]\nrole_arn = arn:aws:iam::1:role/hub\nsource_profile = base\n"
        "[profile spoke]\nrole_arn = arn:aws:iam::2:role/spoke\nsource_profile = hub\n",
    )
    with stub_server(
        sts_answer("AssumeRole", "ASIAHUB"), sts_answer("AssumeRole", "ASIASPOKE")
    ) as sts:
        found = resolve_provider(context(tmp_path, sts_url=sts.url), profile="spoke").get()
    assert found.access_key_id == "ASIASPOKE"
    first, second = sts.received
    assert (signing_key(first), form(first)["RoleArn"]) == ("AKIDBASE", "arn:aws:iam::1:role/hub")
    assert (signing_key(second), form(second)["RoleArn"]) == (
        "ASIAHUB",
        "arn:aws:iam::2:role/spoke",
    )
    assert second.headers["x-amz-security-token"] == "token-of-ASIAHUB"


def test_a_source_profile_cycle_is_refused(tmp_path: Path) -> None:
    write(
        tmp_path / ".aws" / "config",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
        "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n",
    )
    with pytest.raises(CredentialsError, match="cycle: a -> b -> a"):
        resolve_provider(context(tmp_path), profile="a")


def test_credential_source_environment(tmp_path: Path) -> None:
    write(
        tmp_path / ".aws" / "config",
        "[profile ci]\nrole_arn = arn:aws:iam::1:role/ci\ncredential_source = Environment\n",
    )
    env = {"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": SECRET}
    with stub_server(sts_answer("AssumeRole", "ASIACI")) as sts:
        found = resolve_provider(context(tmp_path, env, sts_url=sts.url), profile="ci").get()
    assert found.access_key_id == "ASIACI"
    assert signing_key(sts.received[0]) == "AKIDENV"


def test_mfa_code_is_asked_for_on_a_terminal(tmp_path: Path) -> None:
    write(
        tmp_path / ".aws" / "config",
        "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n"
        "[profile admin]\nrole_arn = arn:aws:iam::1:role/admin\nsource_profile = base\n"
        "mfa_serial = arn:aws:iam::1:mfa/ana\n",
    )
    asked: list[str] = []

    def prompt(question: str) -> str:
        asked.append(question)
        return "123456"

    with stub_server(sts_answer("AssumeRole", "ASIAMFA")) as sts:
        ctx = context(tmp_path, sts_url=sts.url, prompt=prompt)
        assert resolve_provider(ctx, profile="admin").get().access_key_id == "ASIAMFA"
    assert asked == ["MFA code for arn:aws:iam::1:mfa/ana"]
    sent = form(sts.received[0])
    assert (sent["SerialNumber"], sent["TokenCode"]) == ("arn:aws:iam::1:mfa/ana", "123456")


def test_mfa_without_a_terminal_is_a_clear_refusal(tmp_path: Path) -> None:
    write(
        tmp_path / ".aws" / "config",
        "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n"
        "[profile admin]\nrole_arn = arn:aws:iam::1:role/admin\nsource_profile = base\n"
        "mfa_serial = arn:aws:iam::1:mfa/ana\n",
    )
    with pytest.raises(CredentialsError) as caught:
        resolve_provider(context(tmp_path, sts_url="http://127.0.0.1:9"), profile="admin")
    assert "needs an MFA code" in str(caught.value)
    assert "no terminal to ask on" in str(caught.value)


# -- credential_process ------------------------------------------------------------------------


def script(tmp_path: Path, body: str) -> Path:
    path = write(tmp_path / "creds.py", f"import json, sys\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_credential_process_is_run_without_a_shell(tmp_path: Path) -> None:
    tool = script(
        tmp_path,
        "assert sys.argv[1:] == ['--role', 'a b'], sys.argv\n"
        "print(json.dumps({'Version': 1, 'AccessKeyId': 'ASIAPROC', 'SecretAccessKey': 'x',"
        f" 'SessionToken': 't', 'Expiration': '{later(3600)}'}}))",
    )
    write(
        tmp_path / ".aws" / "config",
        f"[default]\ncredential_process = {sys.executable} {tool} --role 'a b'\n",
    )
    provider = resolve_provider(context(tmp_path))
    assert provider.get().access_key_id == "ASIAPROC"
    assert provider.get().session_token == "t"


def test_a_failing_credential_process_shows_its_stderr_not_its_stdout(tmp_path: Path) -> None:
    tool = script(
        tmp_path,
        f"print('{SECRET}')\nprint('token expired: run vault login', file=sys.stderr)\nsys.exit(3)",
    )
    write(
        tmp_path / ".aws" / "config", f"[default]\ncredential_process = {sys.executable} {tool}\n"
    )
    with pytest.raises(CredentialsError) as caught:
        resolve_provider(context(tmp_path))
    message = str(caught.value)
    assert "credential_process of profile 'default'" in message
    assert "exited with status 3: token expired: run vault login" in message
    assert SECRET not in message


def test_a_failing_credential_process_shows_its_status_and_a_few_escaped_lines(
    tmp_path: Path,
) -> None:
    lines = [f"line {n}" for n in range(1, 19)] + ["\x1b[2Jcleared\rNo changes.", "last"]
    tool = script(
        tmp_path,
        f"print('{SECRET}')\nfor line in {lines!r}: print(line, file=sys.stderr)\nsys.exit(7)",
    )
    write(
        tmp_path / ".aws" / "config", f"[default]\ncredential_process = {sys.executable} {tool}\n"
    )
    with pytest.raises(CredentialsError) as caught:
        resolve_provider(context(tmp_path))
    assert str(caught.value) == (
        f"credential_process of profile 'default': {sys.executable} exited with status 7 "
        # (a carriage return ends a line too: it cannot overwrite what came before it)
        "(the last 5 of 21 lines): line 17 / line 18 / \\x1b[2Jcleared / No changes. / last"
    )
    assert "\x1b" not in str(caught.value)
    assert SECRET not in str(caught.value)


def test_a_credential_process_that_hangs_is_killed_with_its_children(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import time

    from reconciler.aws.credentials import process

    monkeypatch.setattr(process, "TIMEOUT_SECONDS", 1)
    pid_file = tmp_path / "child.pid"
    tool = script(
        tmp_path,
        "import subprocess, time\n"
        f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)",
    )
    write(
        tmp_path / ".aws" / "config", f"[default]\ncredential_process = {sys.executable} {tool}\n"
    )
    started = time.monotonic()
    with pytest.raises(CredentialsError) as caught:
        resolve_provider(context(tmp_path))
    assert time.monotonic() - started < 10
    assert str(caught.value) == (
        f"credential_process of profile 'default': {sys.executable} did not finish in 1 s: "
        "it was stopped, with every process it started"
    )
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # (killed; reaped by init soon after)
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{child}/stat") as stat_file:
            if stat_file.read().split(") ", 1)[1].startswith("Z"):
                break  # a zombie: dead, awaiting its reaper
        time.sleep(0.05)
    else:
        raise AssertionError("the credential process's child is still running")


def test_a_credential_process_printing_without_end_is_stopped(tmp_path: Path) -> None:
    tool = script(tmp_path, "while True: sys.stdout.write('x' * 65536)")
    write(
        tmp_path / ".aws" / "config", f"[default]\ncredential_process = {sys.executable} {tool}\n"
    )
    with pytest.raises(CredentialsError) as caught:
        resolve_provider(context(tmp_path))
    assert str(caught.value) == (
        f"credential_process of profile 'default': {sys.executable} printed more than 64 KiB: "
        "it was stopped, with every process it started"
    )


# -- IAM Identity Center -----------------------------------------------------------------------


def sso_files(tmp_path: Path, *, expires: str) -> None:
    write(
        tmp_path / ".aws" / "config",
        "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"
        "sso_role_name = Deployer\nregion = eu-west-1\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = eu-west-1\n",
    )
    # The AWS CLI names its cache file after the SHA-1 of the sso_session's name.
    write(
        tmp_path / ".aws" / "sso" / "cache" / "ee0bfd2552fbd840c02cc48b6e823320543c450f.json",
        json.dumps({"accessToken": "sso-bearer", "expiresAt": expires}),
    )


def sso_portal(received: Received) -> Answer:
    if received.headers.get("x-amz-sso_bearer_token") != "sso-bearer":
        return Answer(401, b'{"message":"Session token not found or invalid"}')
    expires_ms = int((datetime.now(UTC) + timedelta(hours=1)).timestamp() * 1000)
    role = {
        "accessKeyId": "ASIASSO",
        "secretAccessKey": "s",
        "sessionToken": "t",
        "expiration": expires_ms,
    }
    return Answer(200, json.dumps({"roleCredentials": role}).encode())


def test_sso_session_profile_reads_the_cli_token_cache(tmp_path: Path) -> None:
    import hashlib

    assert hashlib.sha1(b"corp").hexdigest() == "ee0bfd2552fbd840c02cc48b6e823320543c450f"
    sso_files(tmp_path, expires=later(3600))
    with stub_server(route=sso_portal) as portal:
        found = resolve_provider(context(tmp_path, sso_url=portal.url), profile="dev").get()
    assert found.access_key_id == "ASIASSO"
    [call] = portal.received
    query = parse_qs(urlsplit(call.path).query)
    assert urlsplit(call.path).path == "/federation/credentials"
    assert query == {"role_name": ["Deployer"], "account_id": ["111122223333"]}


def test_an_expired_sso_sign_in_says_which_login_to_run(tmp_path: Path) -> None:
    sso_files(tmp_path, expires="2020-01-01T00:00:00Z")
    with pytest.raises(CredentialsError, match=r"run: aws sso login --profile dev"):
        resolve_provider(context(tmp_path, sso_url="http://127.0.0.1:9"), profile="dev")


def test_a_missing_sso_sign_in_says_which_login_to_run(tmp_path: Path) -> None:
    write(
        tmp_path / ".aws" / "config",
        "[profile old]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
        "sso_account_id = 1\nsso_role_name = R\n",
    )
    with pytest.raises(CredentialsError) as caught:
        resolve_provider(context(tmp_path), profile="old")
    assert "no IAM Identity Center sign-in found" in str(caught.value)
    assert "run: aws sso login --profile old" in str(caught.value)


# -- container and instance metadata ---------------------------------------------------------


def endpoint_json(key: str, expires_in: float = 3600) -> bytes:
    return json.dumps(
        {
            "AccessKeyId": key,
            "SecretAccessKey": "s",
            "Token": f"token-of-{key}",
            "Expiration": later(expires_in),
        }
    ).encode()


def test_container_credentials_with_an_authorization_token_file(tmp_path: Path) -> None:
    token = write(tmp_path / "pod-token", "pod-identity-token\n")
    with stub_server(Answer(200, endpoint_json("ASIAPOD"))) as agent:
        env = {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": f"{agent.url}/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(token),
        }
        found = resolve_provider(context(tmp_path, env)).get()
    assert found.access_key_id == "ASIAPOD"
    [call] = agent.received
    assert (call.method, call.path) == ("GET", "/v1/credentials")
    assert call.headers["authorization"] == "pod-identity-token"


def test_a_container_uri_off_loopback_over_http_is_refused(tmp_path: Path) -> None:
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://example.com/creds"}
    with pytest.raises(CredentialsError, match="must be https, or http on loopback"):
        resolve_provider(context(tmp_path, env))


def imds(received: Received) -> Answer:
    """IMDSv2: a token first; any read without it is refused as AWS refuses it."""
    if received.method == "PUT" and received.path == "/latest/api/token":
        if received.headers.get("x-aws-ec2-metadata-token-ttl-seconds") != "21600":
            return Answer(400)
        return Answer(200, b"imds-session")
    if received.headers.get("x-aws-ec2-metadata-token") != "imds-session":
        return Answer(401)
    if received.path == "/latest/meta-data/iam/security-credentials/":
        return Answer(200, b"runner-role")
    if received.path == "/latest/meta-data/iam/security-credentials/runner-role":
        return Answer(200, endpoint_json("ASIAEC2"))
    return Answer(404)


def test_instance_metadata_v2_token_first(tmp_path: Path) -> None:
    with stub_server(route=imds) as metadata:
        env = {"AWS_EC2_METADATA_DISABLED": "", "AWS_EC2_METADATA_SERVICE_ENDPOINT": metadata.url}
        found = resolve_provider(context(tmp_path, env)).get()
    assert found.access_key_id == "ASIAEC2"
    assert [r.method for r in metadata.received] == ["PUT", "GET", "GET"]


def test_no_instance_metadata_service_is_listed_among_the_places_looked(tmp_path: Path) -> None:
    # A closed loopback port: connection refused at once, as on a laptop.
    env = {
        "AWS_EC2_METADATA_DISABLED": "",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9",
    }
    with pytest.raises(CredentialsError) as caught:
        resolve_provider(context(tmp_path, env))
    assert "the EC2 instance metadata service (no answer: not an EC2 instance)" in str(caught.value)


# -- refreshing ---------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def issuing(clock: FakeClock, lifetime: timedelta) -> tuple[Callable[[], Temporary], list[str]]:
    issued: list[str] = []

    def fetch() -> Temporary:
        key = f"KEY{len(issued)}"
        issued.append(key)
        return Temporary(Credentials(key, "s", "t"), clock.now + lifetime)

    return fetch, issued


def test_credentials_are_refreshed_before_they_expire() -> None:
    clock = FakeClock()
    fetch, issued = issuing(clock, timedelta(hours=1))
    provider = RefreshingProvider(fetch, source="test", clock=clock)
    assert provider.get().access_key_id == "KEY0"
    clock.now += timedelta(minutes=44)  # more than 15 minutes left: kept
    assert provider.get().access_key_id == "KEY0"
    clock.now += timedelta(minutes=2)  # inside the advisory window: refreshed
    assert provider.get().access_key_id == "KEY1"
    assert issued == ["KEY0", "KEY1"]


def test_a_failed_advisory_refresh_keeps_the_valid_credentials() -> None:
    clock = FakeClock()
    fetch, _ = issuing(clock, timedelta(hours=1))
    failing = {"on": False}

    def flaky() -> Temporary:
        if failing["on"]:
            raise CredentialsError("STS is down")
        return fetch()

    provider = RefreshingProvider(flaky, source="test", clock=clock)
    provider.get()
    failing["on"] = True
    clock.now += timedelta(minutes=47)  # advisory: the failure is logged, the old keys still work
    assert provider.get().access_key_id == "KEY0"
    clock.now += timedelta(minutes=5)  # mandatory: the failure is the caller's
    with pytest.raises(CredentialsError, match="STS is down"):
        provider.get()


def test_many_threads_share_one_refresh() -> None:
    clock = FakeClock()
    fetch, issued = issuing(clock, timedelta(hours=1))
    gate = threading.Event()

    def slow() -> Temporary:
        gate.wait(5)
        return fetch()

    provider = RefreshingProvider(slow, source="test", clock=clock)
    seen: list[str] = []
    threads = [
        threading.Thread(target=lambda: seen.append(provider.get().access_key_id))
        for _ in range(16)
    ]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(10)
    assert seen == ["KEY0"] * 16
    assert issued == ["KEY0"]


# -- renewed mid-apply -------------------------------------------------------------------------


class Watching(RefreshingProvider):
    """Records, at every signing, whether the credentials handed out had already expired."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.expired_uses = 0
        self.uses = 0
        self.expiry: dict[str, datetime] = {}

    def get(self) -> Credentials:
        return self._used(super().get())

    def usable(self) -> Credentials | None:
        found = super().usable()
        return None if found is None else self._used(found)

    def _used(self, found: Credentials) -> Credentials:
        self.uses += 1
        if datetime.now(UTC) >= self.expiry[found.access_key_id]:
            self.expired_uses += 1
        return found


LIFETIME = timedelta(milliseconds=250)


def test_credentials_expiring_within_a_second_are_renewed_during_an_apply(
    endpoint: str, tmp_path: Path
) -> None:
    from reconciler.aws.credentials.endpoints import decode
    from reconciler.aws.s3 import S3Client
    from reconciler.aws.transport import Transport
    from reconciler.spec.loader import load_spec
    from tests.reconcile import Harness

    issued: list[str] = []

    def agent(_: Received) -> Answer:
        issued.append(f"ASIA{len(issued):04d}")
        expires = (datetime.now(UTC) + LIFETIME).isoformat()
        body = {
            "AccessKeyId": issued[-1],
            "SecretAccessKey": "s",
            "Token": "t",
            "Expiration": expires,
        }
        return Answer(200, json.dumps(body).encode())

    names = [f"renew-{i:02d}" for i in range(80)]
    spec = "version: 1\nstack: renew\nbuckets:\n" + "".join(
        f"  {n}: {{versioning: enabled, tags: {{n: '{i}'}}}}\n" for i, n in enumerate(names)
    )
    (tmp_path / "reconciler.yaml").write_text(spec)
    loaded = load_spec((str(tmp_path / "reconciler.yaml"),), cli_vars={}, env={})
    with stub_server(route=agent) as server:
        ctx = context(tmp_path, {"AWS_CONTAINER_CREDENTIALS_FULL_URI": f"{server.url}/creds"})
        transport_for_agent = ctx.transport()

        def fetch() -> Temporary:
            from reconciler.aws.credentials.endpoints import fetch_body

            body = fetch_body(
                transport_for_agent, f"{server.url}/creds", operation="Get", source="agent"
            )
            found = decode(body, source="agent")
            assert found.expires is not None
            provider.expiry[found.credentials.access_key_id] = found.expires
            return found

        provider = Watching(fetch, source="agent")
        with Transport(credentials=provider, pool_size=4) as transport:
            s3 = S3Client(transport, region="us-east-1", endpoint_url=endpoint)
            started = datetime.now(UTC)
            Harness(s3, transport).apply(loaded)  # asserts every step succeeded
            lasted = datetime.now(UTC) - started
            assert not Harness(s3, transport).plan(loaded).has_changes
    assert lasted > 2 * LIFETIME, "the apply must outlive several sets of credentials"
    assert len(issued) >= lasted / LIFETIME - 1  # renewed all along, not once
    assert len(issued) >= 2
    assert provider.expired_uses == 0
    assert provider.uses >= 80 * 3


def test_a_metadata_address_that_refuses_the_token_is_not_a_source(tmp_path: Path) -> None:
    with stub_server(Answer(403, b"forbidden"), Answer(403, b"forbidden")) as metadata:
        env = {"AWS_EC2_METADATA_DISABLED": "", "AWS_EC2_METADATA_SERVICE_ENDPOINT": metadata.url}
        with pytest.raises(CredentialsError) as caught:
            resolve_provider(context(tmp_path, env))
    assert "the EC2 instance metadata service (it answered AccessDenied)" in str(caught.value)
