"""The targets file, loaded and checked like a spec, and the targets it names.

Loading reuses the spec's machinery: YAML events built by hand with every position kept
(`reconciler.spec.source`), ``${env.NAME}`` resolved as in a spec (`reconciler.spec.variables`),
the shapes checked by pydantic and said at the node (`reconciler.spec.validation`), then the
rules pydantic cannot say (one of a role's name or ARN, account ids, region names, variable
names). Every problem is reported at once as ``FILE:LINE:COL: path: message``, before any
API call.

A target is one account in one region: ``ACCOUNT/REGION``. The accounts are those listed and
those selected from AWS Organizations (`reconciler.fleet.organizations`), each in the file's
regions unless it names its own, less the excluded ones; listed accounts' settings win over
what Organizations tells.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

from pydantic import TypeAdapter, ValidationError

from reconciler.errors import ConfigError, SourcePosition, SpecIssue
from reconciler.fleet.model import BUILT_IN, Account, Role, TargetsFile
from reconciler.spec.regions import region_problem
from reconciler.spec.source import Builder, Path, SourceMap, format_path, parse
from reconciler.spec.validation import issues_from
from reconciler.spec.variables import Variables, interpolate
from reconciler.spec.yaml_events import MappingStart

DEFAULT_FILE = "targets.yaml"
ACCOUNT_ID = re.compile(r"^\d{12}$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_ROLE_NAME = re.compile(r"^([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\{account\}:role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")
_SESSION = re.compile(r"^[\w+=,.@-]{2,64}$")
_OU_ID = re.compile(r"^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$")


@dataclass(frozen=True)
class Target:
    """One account in one region, with the role to assume there and its variables."""

    account: str
    region: str
    role_arn: str
    session_name: str = "reconciler"
    external_id: str | None = field(default=None, repr=False)
    duration_seconds: int | None = None
    account_name: str | None = None
    ou: str | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.account}/{self.region}"

    def spec_values(self) -> dict[str, Any]:
        """What ``${target.NAME}`` reads in the spec."""
        return {
            **self.variables,
            "account": self.account,
            "region": self.region,
            "account_name": self.account_name or self.account,
            "ou": self.ou or "",
        }

    def to_json(self) -> dict[str, Any]:
        """The target as listed and reported: never the external id's value."""
        return {
            "target": self.id,
            "account": self.account,
            "region": self.region,
            "account_name": self.account_name,
            "ou": self.ou,
            "role_arn": self.role_arn,
            "session_name": self.session_name,
            "external_id": self.external_id is not None,
            "variables": dict(self.variables),
        }


@dataclass(frozen=True)
class SelectedAccount:
    """An account Organizations selected: its id, name, OU path and tags."""

    id: str
    name: str | None = None
    ou: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadedTargets:
    file: TargetsFile
    path: str
    source: SourceMap

    @property
    def needs_organizations(self) -> bool:
        return self.file.organization is not None


def targets_digest(targets: Sequence[Target]) -> str:
    """What identifies a fleet: its targets and their roles (shards of one run share it)."""
    listed = sorted(f"{t.id} {t.role_arn}" for t in targets)
    return "sha256:" + hashlib.sha256(json.dumps(listed).encode()).hexdigest()


# -- loading ---------------------------------------------------------------------------------


def load_targets(path: str | None, *, env: Mapping[str, str]) -> LoadedTargets:
    """The targets file at ``path`` (default ``targets.yaml``), checked; `ConfigError` with
    every issue found otherwise. No API call."""
    name = path or DEFAULT_FILE
    issues: list[SpecIssue] = []
    try:
        text = FilePath(name).read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        hint = " (the default; give --targets FILE)" if path is None else ""
        raise ConfigError(f"{name}: no such targets file{hint}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{name}: the targets file cannot be read ({exc.__class__.__name__})"
        ) from exc
    doc = parse(text, name, issues)
    source = SourceMap()
    data: Any = None
    if doc is not None:
        if not isinstance(doc.root_event, MappingStart):
            issues.append(
                SpecIssue(
                    "a targets file is a mapping (version, role, regions, accounts, ...)",
                    "",
                    SourcePosition(name, 1, 1),
                )
            )
        else:
            variables = Variables({}, env)

            def resolve(text: str, at: SourcePosition, node: Any, where: str) -> Any:
                return interpolate(
                    text, variables=variables, at=at, path=where, issues=issues, node=node
                )

            data = Builder(doc, source, issues, resolve).build(doc.root, ())
    elif not issues:
        issues.append(SpecIssue("the targets file is empty", "", SourcePosition(name, 1, 1)))
    parsed: TargetsFile | None = None
    if isinstance(data, dict):
        try:
            parsed = TargetsFile.model_validate(data)
        except ValidationError as exc:
            issues += issues_from(exc, root=TargetsFile, source=source)
        parts = _valid_parts(data) if parsed is None else dict(parsed)
        for where, message, at_key in _findings(parts):
            if where in source.unreadable:
                continue
            at = source.key_at(where) if at_key else source.at(where)
            issues.append(SpecIssue(message, format_path(where), at))
    if issues or parsed is None:
        issues.sort(key=lambda i: i.position or SourcePosition(name, 0, 0))
        count = len(issues)
        raise ConfigError(
            f"the targets file has {count} error{'s' if count != 1 else ''}", issues=issues
        )
    return LoadedTargets(parsed, name, source)


Finding = tuple[Path, str, bool]


def _valid_parts(data: dict[str, Any]) -> dict[str, Any]:
    """The top-level fields of a file that failed validation that are valid on their own (each
    account on its own), so that the rules still check them: one broken field does not hide
    the others' problems."""
    parts: dict[str, Any] = {}
    for name, info in TargetsFile.model_fields.items():
        if name not in data:
            continue
        value = data[name]
        if name == "accounts" and isinstance(value, list):
            adapter: TypeAdapter[Any] = TypeAdapter(Account)
            found = []
            for item in value:
                try:
                    found.append(adapter.validate_python(item))
                except ValidationError:
                    found.append(None)
            parts[name] = found
            continue
        shape: Any = info.annotation
        try:
            parts[name] = TypeAdapter(shape).validate_python(value)
        except ValidationError:
            continue
    return parts


def _role_findings(role: Role, path: Path) -> Iterator[Finding]:
    if (role.name is None) == (role.arn is None):
        yield path, "give the role's name or its arn (one of them)", False
    if role.name is not None and not _ROLE_NAME.match(role.name):
        yield (*path, "name"), f"{role.name!r} is not a role name (letters, digits, +=,.@-)", False
    if role.arn is not None and not _ROLE_ARN.match(role.arn):
        yield (
            (*path, "arn"),
            f"{role.arn!r} is not a role ARN template such as "
            "arn:aws:iam::{account}:role/NAME (it must hold {account})",
            False,
        )
    if not _SESSION.match(role.session_name):
        yield (
            (*path, "session_name"),
            f"{role.session_name!r}: a session name is 2-64 letters, digits or +=,.@-",
            False,
        )


def _region_findings(regions: list[str], path: Path, *, check: bool) -> Iterator[Finding]:
    if not regions:
        yield path, "name at least one region", False
    seen: set[str] = set()
    for index, region in enumerate(regions):
        wrong = region_problem(region, check=check)
        if wrong:
            yield (*path, index), wrong.replace("top of the spec", "top of the targets file"), False
        if region in seen:
            yield (*path, index), f"region {region!r} is named twice", False
        seen.add(region)


def _variable_findings(variables: Mapping[str, Any], path: Path) -> Iterator[Finding]:
    for name in variables:
        if name in BUILT_IN:
            yield (
                (*path, name),
                f"{name!r} is defined for every target (${{target.{name}}}); choose another name",
                True,
            )
        elif not _VARIABLE.match(name):
            yield (*path, name), f"{name!r} is not a variable name (letters, digits, _ and -)", True


def _account_findings(accounts: list[Account | None], *, check: bool) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for index, account in enumerate(accounts):
        if account is None:
            continue  # its shape is reported
        path: Path = ("accounts", index)
        if not ACCOUNT_ID.match(account.id):
            yield (*path, "id"), f"{account.id!r} is not a 12-digit account id", False
        elif account.id in seen:
            yield (
                (*path, "id"),
                f"account {account.id} is listed twice (first at accounts[{seen[account.id]}])",
                False,
            )
        seen.setdefault(account.id, index)
        if account.regions is not None:
            yield from _region_findings(account.regions, (*path, "regions"), check=check)
        yield from _variable_findings(account.variables, (*path, "variables"))
        if account.role is not None:
            yield from _role_findings(account.role, (*path, "role"))


def _ou_findings(ous: list[str], path: Path) -> Iterator[Finding]:
    for index, ou in enumerate(ous):
        if _OU_ID.match(ou):
            continue
        if not ou.startswith("/") or "//" in ou or (len(ou) > 1 and ou.endswith("/")):
            yield (
                (*path, index),
                f"{ou!r} is neither an OU path from the root (/workloads/prod) nor an OU id "
                "(ou-...)",
                False,
            )


def _findings(parts: Mapping[str, Any]) -> Iterator[Finding]:
    """The rules, over the fields that have a valid shape (`_valid_parts`)."""
    check = parts.get("region_check", True)
    if "role" in parts:
        yield from _role_findings(parts["role"], ("role",))
    if "regions" in parts:
        yield from _region_findings(parts["regions"], ("regions",), check=check)
    yield from _variable_findings(parts.get("variables") or {}, ("variables",))
    yield from _account_findings(parts.get("accounts") or [], check=check)
    organization = parts.get("organization")
    if not parts.get("accounts") and organization is None:
        yield (), "name the accounts: list them (accounts:), or select them (organization:)", False
    if organization is not None:
        yield from _ou_findings(organization.ous, ("organization", "ous"))
        yield from _ou_findings(organization.exclude_ous, ("organization", "exclude_ous"))
    for index, entry in enumerate(parts.get("exclude") or []):
        account, _, region = entry.partition("/")
        if not ACCOUNT_ID.match(account) or (region == "" and "/" in entry):
            yield (
                ("exclude", index),
                f"{entry!r}: exclude an account (its 12-digit id) or one region of it "
                "(ACCOUNT/REGION)",
                False,
            )


# -- the targets -----------------------------------------------------------------------------


def role_arn(role: Role, account: str) -> str:
    if role.arn is not None:
        return role.arn.replace("{account}", account)
    return f"arn:aws:iam::{account}:role/{role.name}"


def expand(loaded: LoadedTargets, selected: Sequence[SelectedAccount] = ()) -> list[Target]:
    """Every target: the listed accounts, then those ``selected`` from Organizations that are
    not listed, each in its regions, less the excluded; in that order."""
    spec = loaded.file
    excluded = set(spec.exclude)
    listed = {a.id: a for a in spec.accounts}
    found = {s.id: s for s in selected}
    order = [a.id for a in spec.accounts] + [s.id for s in selected if s.id not in listed]
    targets: list[Target] = []
    for account_id in order:
        if account_id in excluded:
            continue
        entry, chosen = listed.get(account_id), found.get(account_id)
        role = entry.role if entry is not None and entry.role is not None else spec.role
        regions = entry.regions if entry is not None and entry.regions is not None else spec.regions
        variables = {**spec.variables, **(entry.variables if entry is not None else {})}
        name = (entry.name if entry is not None else None) or (chosen.name if chosen else None)
        for region in regions:
            if f"{account_id}/{region}" in excluded:
                continue
            targets.append(
                Target(
                    account=account_id,
                    region=region,
                    role_arn=role_arn(role, account_id),
                    session_name=role.session_name,
                    external_id=role.external_id,
                    duration_seconds=role.duration_seconds,
                    account_name=name,
                    ou=chosen.ou if chosen is not None else None,
                    variables=variables,
                )
            )
    return targets
