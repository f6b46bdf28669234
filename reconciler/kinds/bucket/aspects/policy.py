"""``policy``: the bucket policy document, compared after AWS's own normalisation."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from reconciler.errors import ResponseParseError
from reconciler.kinds.bucket.aspects.base import (
    Aspect,
    Call,
    Decoded,
    S3Calls,
    Unconfigured,
    WriteContext,
)
from reconciler.kinds.bucket.canonical import Context, Json
from reconciler.kinds.bucket.model import Bucket
from reconciler.spec.findings import Finding, RuleContext
from reconciler.spec.source import Path

_SET_KEYS = {"Action", "NotAction", "Resource", "NotResource"}
_ACCOUNT_ID_LENGTH = 12


def _decode(document: Any) -> Decoded:
    if not isinstance(document, dict):
        raise ResponseParseError("GetBucketPolicy: the policy is not a JSON object")
    return Decoded(document)


def _encode(value: Any, ctx: WriteContext) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True).encode()


def _as_set(value: Any) -> Any:
    if isinstance(value, list):
        items = sorted({json.dumps(v, sort_keys=True) for v in value})
        values = [json.loads(v) for v in items]
        return values[0] if len(values) == 1 else values
    return value


def _principal_value(value: Any) -> Any:
    def one(item: Any) -> Any:
        if isinstance(item, str) and item.isdigit() and len(item) == _ACCOUNT_ID_LENGTH:
            return f"arn:aws:iam::{item}:root"
        return item

    if isinstance(value, list):
        return _as_set([one(v) for v in value])
    return one(value)


def _statement(statement: Any) -> Any:
    if not isinstance(statement, dict):
        return statement
    out: dict[str, Any] = {}
    for key, value in statement.items():
        if key == "Sid" and value == "":
            continue
        if key in _SET_KEYS:
            out[key] = _as_set(value)
        elif key in ("Principal", "NotPrincipal") and isinstance(value, dict):
            out[key] = {k: _principal_value(v) for k, v in sorted(value.items())}
        elif key == "Condition" and isinstance(value, dict):
            out[key] = {
                op: {k: _as_set(v) for k, v in sorted(cond.items())}
                if isinstance(cond, dict)
                else cond
                for op, cond in sorted(value.items())
            }
        else:
            out[key] = value
    return dict(sorted(out.items()))


def canonical(document: dict[str, Any], ctx: Context | None = None, desired: bool = True) -> Json:
    """A policy after AWS's own normalisation: a one-element list equals its element, a missing
    ``Version`` is 2008-10-17, an empty ``Sid`` is no Sid, account ids in principals are root
    ARNs, and key order and whitespace never matter."""
    out = dict(document)
    out.setdefault("Version", "2008-10-17")
    statements = out.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if isinstance(statements, list):
        out["Statement"] = [_statement(s) for s in statements]
    return dict(sorted(out.items()))


def statements(policy: Mapping[str, Any]) -> list[dict[str, Any]]:
    statement = policy.get("Statement")
    items = statement if isinstance(statement, list) else [statement]
    return [s for s in items if isinstance(s, dict)]


def lets_service_put(policy: Any, service: str) -> bool:
    """Whether a policy document allows the AWS service principal ``service`` to
    ``s3:PutObject`` (how S3 is allowed to deliver logs and reports into a bucket)."""
    if not isinstance(policy, dict):
        return False
    for statement in statements(policy):
        principal = statement.get("Principal")
        services = principal.get("Service") if isinstance(principal, dict) else None
        services = [services] if isinstance(services, str) else services or []
        actions = statement.get("Action")
        actions = [actions] if isinstance(actions, str) else actions or []
        if (
            statement.get("Effect") == "Allow"
            and service in services
            and any(a in ("s3:PutObject", "s3:*", "*") for a in actions)
        ):
            return True
    return False


def public_policy(policy: Mapping[str, Any]) -> bool:
    """Whether a statement allows everyone without a condition."""
    for statement in statements(policy):
        principal = statement.get("Principal")
        if isinstance(principal, dict):
            principal = principal.get("AWS")
        principals = principal if isinstance(principal, list) else [principal]
        if (
            statement.get("Effect") == "Allow"
            and "*" in principals
            and "Condition" not in statement
        ):
            return True
    return False


def _rules(ctx: RuleContext, name: str, bucket: Bucket, path: Path) -> Iterator[Finding]:
    if not isinstance(bucket.policy, dict):
        return
    policy, path = bucket.policy, (*path, "policy")
    unknown = sorted(set(policy) - {"Version", "Id", "Statement"})
    if unknown:
        yield Finding(
            path,
            f"a policy document holds Version, Id and Statement only (found {', '.join(unknown)})",
        )
    version = policy.get("Version")
    if version is not None and version not in ("2012-10-17", "2008-10-17"):
        yield Finding((*path, "Version"), f"Version must be 2012-10-17 (got {version!r})")
    statement = policy.get("Statement")
    if statement is None or statement == []:
        yield Finding(path, "a policy needs a Statement (false deletes the policy)")
        return
    items = statement if isinstance(statement, list) else [statement]
    for index, item in enumerate(items):
        where = (*path, "Statement", index) if isinstance(statement, list) else (*path, "Statement")
        if not isinstance(item, dict):
            yield Finding(where, "a statement must be a mapping")
            continue
        if item.get("Effect") not in ("Allow", "Deny"):
            yield Finding(
                where, f"a statement's Effect must be Allow or Deny (got {item.get('Effect')!r})"
            )
        if "Action" not in item and "NotAction" not in item:
            yield Finding(where, "a statement needs Action or NotAction")
        if "Principal" not in item and "NotPrincipal" not in item:
            yield Finding(where, "a bucket policy statement needs a Principal")
        for key in ("Principal", "NotPrincipal"):
            principal = item.get(key)
            if isinstance(principal, dict) and "CanonicalUser" in principal:
                yield Finding(
                    (*where, key, "CanonicalUser"),
                    "S3 stores a CanonicalUser principal as the IAM ARN it stands for, so this "
                    "statement would differ from the live policy on every plan; write the ARN "
                    "instead: for a CloudFront origin access identity, "
                    '{"AWS": "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity '
                    'OAI_ID"} (its id, not its canonical user id), or better, an origin access '
                    "control",
                )


ASPECT = Aspect(
    key="policy",
    calls=S3Calls(
        subresource="policy",
        document=None,
        get=Call("GetBucketPolicy", "s3:GetBucketPolicy"),
        put=Call("PutBucketPolicy", "s3:PutBucketPolicy"),
        delete=Call("DeleteBucketPolicy", "s3:DeleteBucketPolicy"),
        format="json",
    ),
    decode=_decode,
    encode=_encode,
    unconfigured=Unconfigured(compares_as=None, codes=("NoSuchBucketPolicy",)),
    canonical=canonical,
    follows=("public_access_block",),
    rules=_rules,
)
