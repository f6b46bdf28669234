"""Accounts selected from AWS Organizations: OU paths, account tags, include and exclude.

Organizations speaks JSON 1.1 (``X-Amz-Target``), signed for us-east-1 (its one endpoint in
the commercial partition). Its list calls throttle hard, with a few hundred accounts already
(``TooManyRequestsException``, an HTTP 400), so every call here is paged, its answer cached for
the run, and a throttled call waits with capped exponential backoff and full jitter before it
is sent again (the endpoint's adaptive concurrency is halved as for any throttling answer).

The walk goes down from the root: the OUs below each OU (``ListOrganizationalUnitsForParent``)
and the accounts in each selected OU (``ListAccountsForParent``), so that every account's OU
path is known from calls as many as the OUs, not one ``ListParents`` per account (the call
that throttles first in large organizations). Tags are read (``ListTagsForResource``) only
when the file filters on them, and only for accounts in the selected OUs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from reconciler.aws.config import RetryPolicy
from reconciler.aws.session import Session
from reconciler.aws.steps import Steps
from reconciler.aws.transport import Request, Response, Transport
from reconciler.errors import ConfigError, ResponseParseError, SpecIssue
from reconciler.fleet.model import Organization
from reconciler.fleet.targets import LoadedTargets, SelectedAccount, Target, expand
from reconciler.spec.source import SourceMap, format_path

TARGET_PREFIX = "AWSOrganizationsV20161128"
ADDRESS = "organization"
#: Organizations allows a few calls a second; waits grow to 20 s, 8 attempts in all.
BACKOFF = RetryPolicy(max_attempts=8, base_delay=0.5, max_delay=20.0)
MAX_PAGES = 10_000


def default_endpoint(region: str) -> tuple[str, str]:
    """Organizations' endpoint for the partition of ``region``, and the region it signs for."""
    if region.startswith("cn-"):
        return "https://organizations.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"
    if region.startswith("us-gov-"):
        return "https://organizations.us-gov-west-1.amazonaws.com", "us-gov-west-1"
    return "https://organizations.us-east-1.amazonaws.com", "us-east-1"


@dataclass(frozen=True)
class Unit:
    """An OU (or the root): its id and its path from the root (``/`` for the root)."""

    id: str
    path: str


class Organizations:
    """The calls the selection needs, each answer kept for the run."""

    def __init__(
        self,
        transport: Transport,
        *,
        region: str,
        endpoint_url: str | None = None,
        backoff: RetryPolicy = BACKOFF,
    ) -> None:
        root, self._region = default_endpoint(region)
        self._transport = transport
        self._root = (endpoint_url or root).rstrip("/")
        self._backoff = backoff
        self._cache: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.calls = 0

    # -- one call --------------------------------------------------------------------------

    def _calling(self, action: str, params: dict[str, Any]) -> Steps[dict[str, Any]]:
        request = Request(
            service="organizations",
            region=self._region,
            method="POST",
            root=self._root,
            path="/",
            operation=action,
            headers={
                "content-type": "application/x-amz-json-1.1",
                "x-amz-target": f"{TARGET_PREFIX}.{action}",
            },
            body=json.dumps(params).encode(),
            address=ADDRESS,
        )
        response = yield from self._transport.sending(request, retry=self._backoff)
        self.calls += 1
        return _document(response, action)

    def _pages(self, action: str, params: dict[str, Any], key: str) -> list[dict[str, Any]]:
        """Every item of a paged list call, answered once per run."""
        cached = (action, json.dumps(params, sort_keys=True))
        if cached in self._cache:
            return self._cache[cached]
        found: list[dict[str, Any]] = []
        token: str | None = None
        for _ in range(MAX_PAGES):
            page = self._transport.run(
                self._calling(action, {**params, **({"NextToken": token} if token else {})})
            )
            items = page.get(key, [])
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise ResponseParseError(
                    f"{action}: {key} is not a list of objects", address=ADDRESS
                )
            found += items
            token = page.get("NextToken") or None
            if token is None:
                break
            if not isinstance(token, str):
                raise ResponseParseError(f"{action}: NextToken is not text", address=ADDRESS)
        else:
            raise ResponseParseError(f"{action}: more than {MAX_PAGES} pages", address=ADDRESS)
        self._cache[cached] = found
        return found

    # -- what the selection reads ------------------------------------------------------------

    def root(self) -> str:
        roots = self._pages("ListRoots", {}, "Roots")
        if len(roots) != 1 or not isinstance(roots[0].get("Id"), str):
            raise ResponseParseError("ListRoots: expected one root", address=ADDRESS)
        return str(roots[0]["Id"])

    def child_units(self, parent: str) -> list[tuple[str, str]]:
        """The OUs right below ``parent``: (id, name)."""
        found = self._pages(
            "ListOrganizationalUnitsForParent", {"ParentId": parent}, "OrganizationalUnits"
        )
        return [(str(u.get("Id")), str(u.get("Name"))) for u in found]

    def accounts_in(self, parent: str) -> list[dict[str, Any]]:
        return self._pages("ListAccountsForParent", {"ParentId": parent}, "Accounts")

    def tags_of(self, account: str) -> dict[str, str]:
        found = self._pages("ListTagsForResource", {"ResourceId": account}, "Tags")
        return {str(t.get("Key")): str(t.get("Value")) for t in found}

    def units(self) -> list[Unit]:
        """Every OU with its path, the root first, parents before their children."""
        walked = [Unit(self.root(), "/")]
        index = 0
        while index < len(walked):
            unit = walked[index]
            for child, name in sorted(self.child_units(unit.id), key=lambda c: c[1]):
                walked.append(Unit(child, f"{unit.path.rstrip('/')}/{name}"))
            index += 1
        return walked


# -- the selection ---------------------------------------------------------------------------


def _below(unit: Unit, chosen: Unit) -> bool:
    return chosen.path in ("/", unit.path) or unit.path.startswith(chosen.path + "/")


def _find(units: list[Unit], given: list[str], field: str, source: SourceMap) -> list[Unit]:
    """The OUs named in ``organization.FIELD``; one the organization lacks is an issue at its
    place in the targets file."""
    found, issues = [], []
    for index, name in enumerate(given):
        unit = next((u for u in units if name in (u.id, u.path)), None)
        if unit is not None:
            found.append(unit)
            continue
        known = ", ".join(u.path for u in units[:20]) + (", ..." if len(units) > 20 else "")
        path = ("organization", field, index)
        issues.append(
            SpecIssue(
                f"no OU {name!r} in the organization (its OUs: {known})",
                format_path(path),
                source.at(path),
            )
        )
    if issues:
        raise ConfigError(
            "the targets file names OUs the organization does not have", issues=issues
        )
    return found


def _matches(tags: dict[str, str], wanted: dict[str, str]) -> Iterator[bool]:
    for key, value in wanted.items():
        yield key in tags and (value == "*" or tags[key] == value)


def select(
    org: Organizations, selector: Organization, source: SourceMap | None = None
) -> list[SelectedAccount]:
    """The ACTIVE accounts the selector names, by account id (``source`` places an OU the
    organization lacks in the targets file)."""
    units = org.units()
    chosen = _find(units, selector.ous, "ous", source or SourceMap())
    left_out = _find(units, selector.exclude_ous, "exclude_ous", source or SourceMap())
    selected: dict[str, SelectedAccount] = {}
    for unit in units:
        if not any(_below(unit, c) for c in chosen) or any(_below(unit, x) for x in left_out):
            continue
        for account in org.accounts_in(unit.id):
            account_id = account.get("Id")
            state = account.get("State") or account.get("Status")
            if not isinstance(account_id, str) or state not in ("ACTIVE", None):
                continue
            name = account.get("Name")
            selected[account_id] = SelectedAccount(
                account_id, name if isinstance(name, str) else None, unit.path
            )
    if selector.tags or selector.exclude_tags:
        kept = {}
        for account_id, found in selected.items():
            tags = org.tags_of(account_id)
            if all(_matches(tags, selector.tags)) and not any(
                _matches(tags, selector.exclude_tags)
            ):
                kept[account_id] = SelectedAccount(found.id, found.name, found.ou, tags)
        selected = kept
    return [selected[k] for k in sorted(selected)]


def _document(response: Response, action: str) -> dict[str, Any]:
    try:
        found = json.loads(response.body or b"{}")
    except ValueError as exc:
        raise ResponseParseError(f"{action}: the answer is not JSON", address=ADDRESS) from exc
    if not isinstance(found, dict):
        raise ResponseParseError(f"{action}: the answer is not a JSON object", address=ADDRESS)
    return found


def fleet_targets(loaded: LoadedTargets, hub: Session | None) -> list[Target]:
    """Every target of the file: the listed accounts and, when the file selects some from
    Organizations, those (read with the hub's session, which must then be given)."""
    selected: list[SelectedAccount] = []
    selector = loaded.file.organization
    if selector is not None:
        assert hub is not None, "a file that selects from Organizations needs the hub session"
        org = Organizations(
            hub.transport,
            region=hub.config.region,
            endpoint_url=hub.config.endpoint("organizations"),
        )
        selected = select(org, selector, loaded.source)
    return expand(loaded, selected)
