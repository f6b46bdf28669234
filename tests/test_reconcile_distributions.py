"""Distributions against the emulator: out-of-band changes found and fixed, adoption by alias,
another stack's alias refused, pruning through the whole disable-wait-delete sequence (with
moto's state manager holding a new distribution ``InProgress``), an interrupted delete resumed,
and what a no-change plan costs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from reconciler.errors import StalePlanError, TransportError
from reconciler.plan.model import Action
from reconciler.spec.loader import LoadedSpec
from tests.reconcile import Harness, made_by_hand, spec_file

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/abc"

SITE = """\
version: 1
stack: cdn
buckets:
  cdn-origin: {}
distributions:
  site-cdn:
    enabled: true
    comment: the site
    aliases: [www.example.org]
    origins:
      - {id: site, bucket: cdn-origin}
    default_cache_behavior: {target_origin: site, viewer_protocol_policy: redirect-to-https,
                             cache_policy_id: 658327ea-f89d-4fab-a63d-7e88639e58f6}
    cache_behaviors:
      - {path_pattern: /img/*, target_origin: site, viewer_protocol_policy: https-only,
         compress: true, default_ttl: 3600}
    viewer_certificate: {acm_certificate_arn: "%s", ssl_support_method: sni-only}
    tags: {team: web}
    wait_for_deployment: %s
""" % (CERT, "%s")  # noqa: UP031 - the second placeholder stays for the tests


def site(wait: bool = True) -> str:
    return SITE % ("true" if wait else "false")


def find(boto: Any, name: str) -> str:
    """The id of the distribution tagged with ``name`` (boto3: an independent reader)."""
    listing = boto.list_distributions()["DistributionList"].get("Items", [])
    found = [
        d["Id"]
        for d in listing
        if {"Key": "reconciler:name", "Value": name}
        in boto.list_tags_for_resource(Resource=d["ARN"])["Tags"].get("Items", [])
    ]
    assert len(found) == 1, found
    return str(found[0])


def edit(boto: Any, ident: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Change a distribution behind the spec's back, as someone with boto3 would."""
    answer = boto.get_distribution_config(Id=ident)
    config = answer["DistributionConfig"]
    change(config)
    boto.update_distribution(Id=ident, DistributionConfig=config, IfMatch=answer["ETag"])


@pytest.fixture
def harness(s3: S3Client, transport: Transport) -> Harness:
    return Harness(s3, transport)


@pytest.fixture
def deploying_slowly(endpoint: str) -> Iterator[None]:
    """moto's state manager: a new distribution stays InProgress for eight reads."""
    url = f"{endpoint}/moto-api/state-manager"
    model = {"model_name": "cloudfront::distribution"}
    requests.post(
        f"{url}/set-transition",
        json={**model, "transition": {"progression": "manual", "times": 8}},
        timeout=5,
    ).raise_for_status()
    yield
    requests.post(f"{url}/unset-transition", json=model, timeout=5).raise_for_status()


@pytest.fixture
def applied(tmp_path: Path, harness: Harness, boto_cloudfront: Any) -> tuple[LoadedSpec, str]:
    """The site spec applied: the spec, and the id of its distribution."""
    loaded = spec_file(tmp_path, site())
    harness.apply(loaded)
    return loaded, find(boto_cloudfront, "site-cdn")


def test_out_of_band_changes_are_found_with_their_paths_and_fixed(
    applied: tuple[LoadedSpec, str], harness: Harness, boto_cloudfront: Any
) -> None:
    loaded, ident = applied

    def by_hand(config: dict[str, Any]) -> None:
        config["Comment"] = "changed by hand"
        config["Aliases"] = {"Quantity": 1, "Items": ["old.example.org"]}
        config["Enabled"] = False
        config["CacheBehaviors"]["Items"][0]["Compress"] = False

    edit(boto_cloudfront, ident, by_hand)
    arn = boto_cloudfront.get_distribution(Id=ident)["Distribution"]["ARN"]
    boto_cloudfront.tag_resource(Resource=arn, Tags={"Items": [{"Key": "team", "Value": "ops"}]})

    drifted = harness.plan(loaded)
    change = drifted.change("distribution.site-cdn")
    assert change is not None
    assert change.action is Action.UPDATE
    assert change.id == ident
    paths = {d.path: (d.before, d.after) for a in change.aspects for d in a.diff}
    assert paths == {
        "comment": ("changed by hand", "the site"),
        "aliases[0]": ("old.example.org", "www.example.org"),
        "enabled": (False, True),
        "cache_behaviors[0].compress": (False, True),
        "tags.team": ("ops", "web"),
    }

    harness.execute(drifted)
    config = boto_cloudfront.get_distribution_config(Id=ident)["DistributionConfig"]
    assert config["Comment"] == "the site"
    assert config["Aliases"]["Items"] == ["www.example.org"]
    assert config["Enabled"] is True
    assert config["CacheBehaviors"]["Items"][0]["Compress"] is True
    assert not harness.plan(loaded).has_changes


def test_a_saved_plan_is_stale_once_the_distribution_changed(
    applied: tuple[LoadedSpec, str], harness: Harness, boto_cloudfront: Any
) -> None:
    loaded, ident = applied
    edit(boto_cloudfront, ident, lambda config: config.update(Comment="first edit"))
    saved = harness.plan(loaded)
    harness.replan(saved, loaded)  # nothing moved yet: accepted
    edit(boto_cloudfront, ident, lambda config: config.update(Comment="second edit"))
    with pytest.raises(StalePlanError) as raised:
        harness.replan(saved, loaded)
    assert raised.value.addresses == ("distribution.site-cdn",)
    assert "distribution.site-cdn (comment)" in str(raised.value)


def test_an_untagged_distribution_holding_a_declared_alias_is_adopted(
    tmp_path: Path, harness: Harness, boto_cloudfront: Any, boto_s3: Any
) -> None:
    boto_s3.create_bucket(Bucket="cdn-origin")
    made = boto_cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "by-hand",
            "Aliases": {"Quantity": 1, "Items": ["www.example.org"]},
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "site",
                        "DomainName": "cdn-origin.s3.us-east-1.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            },
            "Comment": "made by hand",
            "Enabled": True,
        }
    )["Distribution"]
    loaded = spec_file(tmp_path, site())
    plan = harness.plan(loaded)
    harness.replan(plan, loaded)  # a saved adoption stays applicable
    change = plan.change("distribution.site-cdn")
    assert change is not None
    assert change.action is Action.ADOPT
    assert change.id == made["Id"]
    assert made["Id"] in (change.reason or "")
    harness.execute(plan)
    tags = boto_cloudfront.list_tags_for_resource(Resource=made["ARN"])["Tags"]["Items"]
    assert {"Key": "reconciler:stack", "Value": "cdn"} in tags
    assert {"Key": "reconciler:name", "Value": "site-cdn"} in tags
    assert (
        boto_cloudfront.get_distribution_config(Id=made["Id"])["DistributionConfig"]["Comment"]
        == "the site"
    )
    assert not harness.plan(loaded).has_changes


BY_ID = """\
version: 1
stack: cdn
distributions:
  %s:
    id: %s
    comment: named by its id
"""


def test_an_untagged_distribution_named_by_its_id_is_adopted_and_a_wrong_id_is_an_error(
    tmp_path: Path, harness: Harness, boto_cloudfront: Any
) -> None:
    made = made_by_hand(boto_cloudfront, reference="no-alias", comment="made by hand")
    wrong = harness.plan(spec_file(tmp_path, BY_ID % ("edge", "E0000000000000"), name="w.yaml"))
    assert [(d.address, d.position) for d in wrong.errors] == [
        ("distribution.edge", f"{tmp_path / 'w.yaml'}:5:9")
    ]
    assert "E0000000000000" in wrong.errors[0].summary
    loaded = spec_file(tmp_path, BY_ID % ("edge", made["Id"]))
    plan = harness.plan(loaded)
    change = plan.change("distribution.edge")
    assert change is not None
    assert (change.action, change.id) == (Action.ADOPT, made["Id"])
    assert "named by its id" in (change.reason or "")
    harness.execute(plan)
    assert not harness.plan(loaded).has_changes
    again = harness.plan(spec_file(tmp_path, BY_ID % ("second", made["Id"]), name="2.yaml"))
    assert [d.address for d in again.errors] == ["distribution.second"]
    assert "reconciler:name=edge" in again.errors[0].summary


def test_an_alias_held_by_another_stack_is_an_error_at_its_position(
    tmp_path: Path, harness: Harness
) -> None:
    other = spec_file(tmp_path, site().replace("stack: cdn", "stack: other"), name="other.yaml")
    harness.apply(other)
    loaded = spec_file(tmp_path, site().replace("site-cdn:", "mine-cdn:"))
    plan = harness.plan(loaded)
    errors = [d for d in plan.errors if d.address == "distribution.mine-cdn"]
    assert len(errors) == 1
    assert "www.example.org" in errors[0].summary
    assert "'other'" in errors[0].summary
    assert errors[0].position == f"{tmp_path / 'reconciler.yaml'}:9:15"
    assert plan.change("distribution.mine-cdn") is None


def test_prune_disables_waits_and_deletes_an_owned_distribution(
    tmp_path: Path, harness: Harness, boto_cloudfront: Any, deploying_slowly: None
) -> None:
    loaded = spec_file(tmp_path, site(wait=False))
    harness.apply(loaded)
    ident = find(boto_cloudfront, "site-cdn")
    assert harness.waits == []  # wait_for_deployment: false

    kept = spec_file(
        tmp_path, "version: 1\nstack: cdn\nbuckets:\n  cdn-origin: {}\ndistributions: {}\n"
    )
    plan = harness.plan(kept)
    change = plan.change("distribution.site-cdn")
    assert change is not None
    assert change.action is Action.DELETE
    assert change.reason == "owned by this stack, no longer declared"
    report = harness.execute(plan)
    assert [(r.step, r.action, r.status) for r in report.results] == [
        ("distribution", "disable", "done"),
        ("distribution", "delete", "done"),
    ]
    statuses = [status for _, status in harness.waits]
    assert statuses[0] == "InProgress"  # it was still deploying: the sequence waited
    assert "Deployed" in statuses
    assert statuses[-1] == "gone"
    with pytest.raises(boto_cloudfront.exceptions.NoSuchDistribution):
        boto_cloudfront.get_distribution(Id=ident)
    assert not harness.plan(kept).has_changes


class FailsDeleteOnce(CloudFrontClient):
    """Stands for an apply stopped between disabling and deleting."""

    failed = False

    def delete_distribution(
        self, distribution_id: str, *, if_match: str, address: str | None = None
    ) -> None:
        if not FailsDeleteOnce.failed:
            FailsDeleteOnce.failed = True
            raise TransportError("the connection dropped", address=address)
        super().delete_distribution(distribution_id, if_match=if_match, address=address)


def test_an_interrupted_delete_resumes_where_it_stopped(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_cloudfront: Any
) -> None:
    class Stopping(Harness):
        @property
        def cloudfront(self) -> CloudFrontClient:
            return FailsDeleteOnce(self.transport, endpoint_url=self.s3.endpoint_url)

    harness = Stopping(s3, transport)
    loaded = spec_file(tmp_path, site())
    harness.apply(loaded)
    ident = find(boto_cloudfront, "site-cdn")
    absent = spec_file(
        tmp_path, site().replace("    enabled: true\n", "    state: absent\n    enabled: true\n")
    )
    first = harness.execute(harness.plan(absent))
    assert [(r.action, r.status) for r in first.results] == [
        ("disable", "done"),
        ("delete", "failed"),
    ]
    assert (
        boto_cloudfront.get_distribution(Id=ident)["Distribution"]["DistributionConfig"]["Enabled"]
        is False
    )

    again = harness.plan(absent)
    change = again.change("distribution.site-cdn")
    assert change is not None
    assert change.action is Action.DELETE
    second = harness.execute(again)
    assert second.ok
    with pytest.raises(boto_cloudfront.exceptions.NoSuchDistribution):
        boto_cloudfront.get_distribution(Id=ident)
    assert not harness.plan(absent).has_changes


MANY = """\
version: 1
stack: many
distributions:
%s
"""
ONE = """\
  cdn-%d:
    comment: number %d
    origins: [{id: api, domain_name: api%d.example.org}]
    default_cache_behavior: {target_origin: api, viewer_protocol_policy: https-only}
"""


def test_a_no_change_plan_costs_one_listing_and_two_reads_per_distribution(
    tmp_path: Path, harness: Harness, transport: Transport
) -> None:
    count = 3
    loaded = spec_file(tmp_path, MANY % "".join(ONE % (i, i, i) for i in range(count)))
    harness.apply(loaded)
    before = transport.requests_sent
    plan = harness.plan(loaded)
    assert not plan.has_changes
    assert plan.summary["no_op"] == count
    # ListBuckets; ListDistributions; per distribution its tags and its configuration.
    assert transport.requests_sent - before == 1 + 1 + 2 * count
