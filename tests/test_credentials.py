"""Where credentials come from, in the contract's order, and what is said when there are none."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.aws.config import resolve_client_config, resolve_endpoints, resolve_region
from reconciler.aws.credentials.chain import resolve_credentials
from reconciler.errors import ConfigError, CredentialsError

SECRET = "shhh-do-not-print-me"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """An environment whose home holds no AWS files yet (and no instance metadata service to
    ask: no test sends a request to its link-local address)."""
    return {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true"}


def test_environment_keys_are_used_first(home: dict[str, str], tmp_path: Path) -> None:
    write(
        tmp_path / ".aws" / "credentials",
        f"[default]\naws_access_key_id=FILE\naws_secret_access_key={SECRET}\n",
    )
    env = {
        **home,
        "AWS_ACCESS_KEY_ID": "ENVKEY",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_SESSION_TOKEN": "tok",
    }
    found = resolve_credentials(env=env)
    assert (found.access_key_id, found.session_token, found.source) == (
        "ENVKEY",
        "tok",
        "environment",
    )


def test_the_default_profile_of_the_credentials_file(home: dict[str, str], tmp_path: Path) -> None:
    write(
        tmp_path / ".aws" / "credentials",
        f"[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = {SECRET}\n",
    )
    found = resolve_credentials(env=home)
    assert found.access_key_id == "FILEKEY"
    assert found.secret_access_key == SECRET
    assert "profile 'default'" in found.source


def test_aws_profile_selects_a_config_file_profile(home: dict[str, str], tmp_path: Path) -> None:
    write(
        tmp_path / ".aws" / "config",
        "[profile ops]\nregion = eu-central-1\naws_access_key_id = OPSKEY\n"
        f"aws_secret_access_key = {SECRET}\naws_session_token = opstoken\n",
    )
    env = {**home, "AWS_PROFILE": "ops"}
    found = resolve_credentials(env=env)
    assert (found.access_key_id, found.session_token) == ("OPSKEY", "opstoken")
    assert resolve_region(cli_region=None, env=env, profile=None) == "eu-central-1"


def test_the_command_line_profile_beats_the_environment(
    home: dict[str, str], tmp_path: Path
) -> None:
    write(
        tmp_path / "elsewhere" / "creds",
        f"[prod]\naws_access_key_id = PRODKEY\naws_secret_access_key = {SECRET}\n",
    )
    env = {
        **home,
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "elsewhere" / "creds"),
        "AWS_ACCESS_KEY_ID": "ENVKEY",
        "AWS_SECRET_ACCESS_KEY": "other",
    }
    assert resolve_credentials(env=env, profile="prod").access_key_id == "PRODKEY"


def test_credentials_file_wins_over_config_file(home: dict[str, str], tmp_path: Path) -> None:
    write(
        tmp_path / ".aws" / "config",
        "[default]\naws_access_key_id = CONFIGKEY\naws_secret_access_key = a\n",
    )
    write(
        tmp_path / ".aws" / "credentials",
        "[default]\naws_access_key_id = CREDKEY\naws_secret_access_key = b\n",
    )
    assert resolve_credentials(env=home).access_key_id == "CREDKEY"


def test_nothing_found_names_every_place_looked(home: dict[str, str], tmp_path: Path) -> None:
    write(tmp_path / ".aws" / "config", "[profile other]\nregion = eu-west-1\n")
    with pytest.raises(CredentialsError) as caught:
        resolve_credentials(env=home)
    message = str(caught.value)
    assert message.startswith(
        "no AWS credentials found (profile 'default' from the default profile)"
    )
    assert "the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set)" in message
    assert f"{tmp_path / '.aws' / 'credentials'} (no such file)" in message
    assert f"{tmp_path / '.aws' / 'config'} (no profile 'default')" in message
    assert "AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (not set)" in message
    assert "the container credential endpoint (AWS_CONTAINER_CREDENTIALS_*_URI not set)" in message
    assert "the EC2 instance metadata service (AWS_EC2_METADATA_DISABLED=true)" in message


def test_a_missing_command_line_profile_is_named(home: dict[str, str]) -> None:
    with pytest.raises(
        CredentialsError, match=r"no credentials for profile 'ghost' \(from --profile\)"
    ):
        resolve_credentials(env=home, profile="ghost")


def test_half_a_key_pair_in_the_environment(home: dict[str, str]) -> None:
    with pytest.raises(CredentialsError, match="AWS_SECRET_ACCESS_KEY is not set"):
        resolve_credentials(env={**home, "AWS_ACCESS_KEY_ID": "ONLYKEY"})


def test_half_a_key_pair_in_a_profile_never_shows_the_secret(
    home: dict[str, str], tmp_path: Path
) -> None:
    write(tmp_path / ".aws" / "credentials", f"[default]\naws_secret_access_key = {SECRET}\n")
    with pytest.raises(CredentialsError) as caught:
        resolve_credentials(env=home)
    assert "has no aws_access_key_id" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_an_unreadable_file_is_named_without_its_content(
    home: dict[str, str], tmp_path: Path
) -> None:
    path = write(tmp_path / ".aws" / "credentials", f"aws_secret_access_key = {SECRET}\n[default\n")
    with pytest.raises(CredentialsError) as caught:
        resolve_credentials(env=home)
    assert str(path) in str(caught.value)
    assert SECRET not in str(caught.value)


# -- endpoints and region ----------------------------------------------------------------


def test_endpoint_precedence_follows_the_aws_cli() -> None:
    env = {"AWS_ENDPOINT_URL": "http://all:1", "AWS_ENDPOINT_URL_S3": "http://s3only:2/"}
    assert resolve_endpoints(cli_url=None, env=env) == {
        "s3": "http://s3only:2",
        "cloudfront": "http://all:1",
        "sts": "http://all:1",
        "sso": "http://all:1",
        "organizations": "http://all:1",
    }
    assert resolve_endpoints(cli_url="https://cli:3", env=env) == dict.fromkeys(
        ("s3", "cloudfront", "sts", "sso", "organizations"), "https://cli:3"
    )
    assert resolve_endpoints(cli_url=None, env={}) == {}


def test_a_bad_endpoint_url_names_its_source() -> None:
    with pytest.raises(ConfigError, match="AWS_ENDPOINT_URL_S3: 'localhost:4566' is not an http"):
        resolve_endpoints(cli_url=None, env={"AWS_ENDPOINT_URL_S3": "localhost:4566"})


def test_region_precedence(home: dict[str, str]) -> None:
    env = {**home, "AWS_REGION": "eu-west-3", "AWS_DEFAULT_REGION": "eu-north-1"}
    assert resolve_region(cli_region="ap-east-1", env=env, profile=None) == "ap-east-1"
    assert resolve_region(cli_region=None, env=env, profile=None) == "eu-west-3"
    assert (
        resolve_region(
            cli_region=None, env={**home, "AWS_DEFAULT_REGION": "eu-north-1"}, profile=None
        )
        == "eu-north-1"
    )
    assert resolve_region(cli_region=None, env=home, profile=None) == "us-east-1"


def test_parallelism_must_be_positive(home: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match="--parallelism: must be at least 1"):
        resolve_client_config(env=home, parallelism=0)


# -- the config file's client settings ---------------------------------------------------------


def test_endpoint_url_and_services_sections_in_the_config_file(
    home: dict[str, str], tmp_path: Path
) -> None:
    write(
        tmp_path / ".aws" / "config",
        "[profile minio]\nendpoint_url = http://store:9000\nservices = local\n"
        "[services local]\ns3 =\n  endpoint_url = http://s3.store:9000/\n"
        "sts =\n  endpoint_url = http://sts.store:9000\n",
    )
    config = resolve_client_config(env=home, profile="minio")
    assert dict(config.endpoints) == {
        "s3": "http://s3.store:9000",
        "sts": "http://sts.store:9000",
        "cloudfront": "http://store:9000",
        "sso": "http://store:9000",
        "organizations": "http://store:9000",
    }
    # The environment beats the profile; the command line beats both.
    env = {**home, "AWS_ENDPOINT_URL_S3": "http://env:1"}
    assert resolve_client_config(env=env, profile="minio").endpoint("s3") == "http://env:1"
    assert (
        resolve_client_config(env=env, profile="minio", cli_endpoint_url="http://cli:2").endpoint(
            "s3"
        )
        == "http://cli:2"
    )


def test_a_missing_services_section_is_named(home: dict[str, str], tmp_path: Path) -> None:
    write(tmp_path / ".aws" / "config", "[default]\nservices = nowhere\n")
    with pytest.raises(ConfigError, match=r"no \[services nowhere\] section"):
        resolve_client_config(env=home)


def test_ca_bundle_addressing_and_retries_from_the_profile(
    home: dict[str, str], tmp_path: Path
) -> None:
    write(
        tmp_path / ".aws" / "config",
        "[default]\nca_bundle = /etc/corp-ca.pem\nmax_attempts = 3\nretry_mode = adaptive\n"
        "s3 =\n  addressing_style = virtual\n",
    )
    config = resolve_client_config(env=home)
    assert (config.ca_bundle, config.retry.max_attempts, config.addressing_style) == (
        "/etc/corp-ca.pem",
        3,
        "virtual",
    )
    env = {**home, "AWS_CA_BUNDLE": "/env/ca.pem", "AWS_MAX_ATTEMPTS": "7"}
    config = resolve_client_config(env=env)
    assert (config.ca_bundle, config.retry.max_attempts) == ("/env/ca.pem", 7)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("max_attempts = many", "max_attempts: 'many' is not a whole number"),
        ("retry_mode = eager", "retry_mode: 'eager' is not one of legacy, standard, adaptive"),
        ("s3 =\n  addressing_style = dns", "addressing_style 'dns' is not one of auto, path"),
    ],
)
def test_bad_client_settings_are_named_with_their_profile(
    home: dict[str, str], tmp_path: Path, setting: str, message: str
) -> None:
    write(tmp_path / ".aws" / "config", f"[default]\n{setting}\n")
    with pytest.raises(ConfigError, match=message) as caught:
        resolve_client_config(env=home)
    assert "profile 'default'" in str(caught.value)
