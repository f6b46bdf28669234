"""The targets file's shape (pydantic, like the spec's models): which accounts, which regions,
the role to assume in each, and the variables each target gives the spec.

A targets file, validated like a spec (`reconciler.fleet.targets` loads it with ``FILE:LINE:COL``
errors); its JSON Schema is ``schemas/targets.schema.json``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from reconciler.spec.common import SpecModel
from reconciler.spec.model import VarValue


def _account_text(value: Any) -> Any:
    """An account id written as a number reads as its digits when they are all there (a
    leading zero would be lost, or read as octal: such an id must be quoted)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if len(str(value)) == 12:
            return str(value)
        raise ValueError(
            f"an account id is 12 digits, quoted (YAML read this one as the number {value})"
        )
    return value


AccountId = Annotated[str, BeforeValidator(_account_text)]

#: What every target defines for ``${target.NAME}``; a target's own variables take other names.
BUILT_IN = ("account", "region", "account_name", "ou")


class Role(SpecModel):
    """The role assumed in each target account, directly from the hub's credentials (never one
    role from another: a chained session is capped at one hour)."""

    name: str | None = Field(
        None,
        description="The role's name (with its path, if any): assumed as "
        "arn:aws:iam::ACCOUNT:role/NAME. Give name or arn.",
    )
    arn: str | None = Field(
        None,
        description="The role's ARN as a template holding {account}, such as "
        "arn:aws-us-gov:iam::{account}:role/deploy. Give name or arn.",
    )
    external_id: str | None = Field(
        None,
        description="The ExternalId the roles' trust policies require (${env.NAME} reads it from "
        "the environment). Never written to a report.",
    )
    session_name: str = Field(
        "reconciler",
        description="The session name CloudTrail shows (2-64 of letters, digits and +=,.@-).",
    )
    duration_seconds: int | None = Field(
        None,
        ge=900,
        le=43200,
        description="How long each session lasts (900-43200; the role's maximum bounds it). "
        "Sessions are renewed before they expire.",
    )


class Account(SpecModel):
    """An account named in the file: always a target (unless excluded), in every region of
    the file unless it names its own."""

    id: AccountId = Field(description="The 12-digit account id (quoted when it starts with 0).")
    name: str | None = Field(None, description="A name for reports (${target.account_name}).")
    regions: list[str] | None = Field(
        None, description="This account's regions, instead of the file's."
    )
    variables: dict[str, VarValue] = Field(
        default_factory=dict,
        description="This account's own ${target.NAME} values (over the file's).",
    )
    role: Role | None = Field(None, description="A role for this account instead of the file's.")


class Organization(SpecModel):
    """Accounts selected from AWS Organizations with the hub's credentials (the management
    account or a delegated administrator). Only ACTIVE accounts are selected."""

    ous: list[str] = Field(
        default_factory=lambda: ["/"],
        description="OU paths from the root (/workloads/prod), or OU ids (ou-...); each "
        "includes the OUs below it. Default: / (the whole organization).",
    )
    exclude_ous: list[str] = Field(
        default_factory=list, description="OU paths or ids left out, with the OUs below them."
    )
    tags: dict[str, str] = Field(
        default_factory=dict,
        description="Only accounts holding every one of these tags (a value of * matches any).",
    )
    exclude_tags: dict[str, str] = Field(
        default_factory=dict,
        description="Accounts holding any one of these tags are left out (* matches any value).",
    )


class TargetsFile(SpecModel):
    """A fleet: accounts x regions, the role to assume in each, and per-target variables."""

    version: Literal[1] = Field(description="The targets file format's version: 1.")
    role: Role = Field(description="The role to assume in every account.")
    regions: list[str] = Field(description="The regions of every account (at least one).")
    region_check: bool = Field(
        True,
        description="Check region names against AWS's (false: any name, for a newer region or "
        "an S3-compatible store).",
    )
    variables: dict[str, VarValue] = Field(
        default_factory=dict,
        description="${target.NAME} values for every target (accounts override them).",
    )
    accounts: list[Account] = Field(default_factory=list, description="Accounts listed by id.")
    organization: Organization | None = Field(
        None, description="Accounts selected from AWS Organizations (with the listed ones)."
    )
    exclude: list[str] = Field(
        default_factory=list,
        description="Targets left out: an account id, or ACCOUNT/REGION for one region.",
    )
