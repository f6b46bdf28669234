"""The AWS shared files: ``~/.aws/credentials`` and ``~/.aws/config``, as the AWS CLI reads them.

The credentials file names sections after the profile (``[prod]``); the config file calls them
``[profile prod]``, except ``[default]``. Both can hold keys; the credentials file wins. The
locations follow ``AWS_SHARED_CREDENTIALS_FILE`` and ``AWS_CONFIG_FILE``.
"""

from __future__ import annotations

import configparser
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import CredentialsError


@dataclass(frozen=True)
class SharedFiles:
    credentials: Path
    config: Path

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> SharedFiles:
        home = Path(env.get("HOME") or Path.home())
        return cls(
            credentials=Path(
                env.get("AWS_SHARED_CREDENTIALS_FILE") or home / ".aws" / "credentials"
            ).expanduser(),
            config=Path(env.get("AWS_CONFIG_FILE") or home / ".aws" / "config").expanduser(),
        )


@dataclass(frozen=True)
class ProfileLookup:
    """What one file said about one profile: its settings, or why there are none."""

    path: Path
    settings: Mapping[str, str] | None
    why_not: str = ""


def _read(path: Path) -> configparser.RawConfigParser | None:
    if not path.is_file():
        return None
    parser = configparser.RawConfigParser(default_section="__no_defaults__")
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        # The message names the file and line but never a value from it.
        raise CredentialsError(
            f"{path}: cannot be read as an AWS shared file ({exc.__class__.__name__})"
        ) from exc
    return parser


def lookup(path: Path, profile: str, *, config_style: bool) -> ProfileLookup:
    """The settings of ``profile`` in one shared file."""
    parser = _read(path)
    if parser is None:
        return ProfileLookup(path, None, "no such file")
    section = profile if not config_style or profile == "default" else f"profile {profile}"
    if not parser.has_section(section):
        return ProfileLookup(path, None, f"no profile {profile!r}")
    return ProfileLookup(path, dict(parser.items(section)))


def section(path: Path, name: str) -> dict[str, str] | None:
    """A whole section of one config-style file (``[sso-session NAME]``, ``[services NAME]``),
    or ``None`` when the file or the section is not there."""
    parser = _read(path)
    if parser is None or not parser.has_section(name):
        return None
    return dict(parser.items(name))


def nested(value: str | None) -> dict[str, str]:
    """A nested setting, as the AWS CLI writes them (``s3 =`` then indented ``key = value``
    lines)."""
    found: dict[str, str] = {}
    for line in (value or "").splitlines():
        key, sep, rest = line.partition("=")
        if sep and key.strip():
            found[key.strip()] = rest.strip()
    return found


def profile_settings(
    files: SharedFiles, profile: str
) -> tuple[dict[str, str], list[ProfileLookup]]:
    """The merged settings of ``profile`` (credentials file over config file), and what each
    file said, so callers can explain where they looked."""
    from_config = lookup(files.config, profile, config_style=True)
    from_credentials = lookup(files.credentials, profile, config_style=False)
    merged: dict[str, str] = {}
    for found in (from_config, from_credentials):
        if found.settings:
            merged.update(found.settings)
    return merged, [from_credentials, from_config]


@dataclass(frozen=True)
class Profile:
    """One profile's merged settings (the credentials file's over the config file's), and what
    each file said of it, for messages that say where they looked."""

    name: str
    settings: Mapping[str, str]
    lookups: tuple[ProfileLookup, ...]
    config: Path

    @classmethod
    def read(cls, files: SharedFiles, name: str) -> Profile:
        settings, lookups = profile_settings(files, name)
        return cls(name, settings, tuple(lookups), files.config)

    def get(self, key: str) -> str:
        return self.settings.get(key, "").strip()

    @property
    def where(self) -> str:
        return " and ".join(str(f.path) for f in self.lookups if f.settings is not None)

    @property
    def label(self) -> str:
        """The profile and the files that hold it (``profile 'dev' (~/.aws/config)``)."""
        return f"profile {self.name!r} ({self.where})"

    @property
    def origin(self) -> str:
        """Where a setting of the profile is configured (``profile 'dev' in ~/.aws/config``)."""
        return f"profile {self.name!r} in {self.config}"

    @property
    def looked(self) -> list[str]:
        """Each file looked in for it, and what it said."""
        return [
            f"{f.path} (profile {self.name!r} has no credentials)"
            if f.settings is not None
            else f"{f.path} ({f.why_not})"
            for f in self.lookups
        ]
