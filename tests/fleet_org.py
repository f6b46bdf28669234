"""An organization on the emulator, made with boto3 as an administrator would: OUs, accounts
(moto gives each a random id) with tags, moved into their OUs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3


def client(
    service: str,
    url: str,
    key: str = "AKIDTESTING",
    secret: str = "test",
    token: str | None = None,
    *,
    region: str = "us-east-1",
) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
    )


def in_account(service: str, url: str, account: str, *, role: str = "reader") -> Any:
    """A boto3 client working in ``account``: a role assumed there through the emulator's STS
    (moto keeps each account's resources apart)."""
    keys = client("sts", url).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="test-reader"
    )["Credentials"]
    return client(service, url, keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"])


@dataclass
class Org:
    root: str
    ous: dict[str, str] = field(default_factory=dict)  # path -> id
    accounts: dict[str, str] = field(default_factory=dict)  # name -> id


def make_org(
    url: str, layout: dict[str, list[tuple[str, dict[str, str]]]], *, key: str = "AKIDTESTING"
) -> Org:
    """``layout``: OU path -> [(account name, tags)]; parent OUs are made first."""
    org = client("organizations", url, key)
    org.create_organization(FeatureSet="ALL")
    made = Org(org.list_roots()["Roots"][0]["Id"])
    made.ous["/"] = made.root
    for path in sorted(layout, key=lambda p: p.count("/")):
        parent = made.root
        walked = ""
        for name in [p for p in path.split("/") if p]:
            walked += f"/{name}"
            if walked not in made.ous:
                made.ous[walked] = org.create_organizational_unit(ParentId=parent, Name=name)[
                    "OrganizationalUnit"
                ]["Id"]
            parent = made.ous[walked]
        for name, tags in layout[path]:
            request = org.create_account(
                Email=f"{name}@example.com",
                AccountName=name,
                Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
            )["CreateAccountStatus"]["Id"]
            account = org.describe_create_account_status(CreateAccountRequestId=request)[
                "CreateAccountStatus"
            ]["AccountId"]
            made.accounts[name] = account
            if parent != made.root:
                org.move_account(
                    AccountId=account, SourceParentId=made.root, DestinationParentId=parent
                )
    return made
