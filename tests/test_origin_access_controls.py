"""CloudFront origin access controls, the kind added on the resource-kind interface: declared
under ``origin_access_controls:``, found by the ownership mark in their description (they have
no tags), planned, applied, drifted, imported, destroyed and permitted like any kind, and named
by logical name from a distribution's S3 origin (written before it, deleted after it).

moto keeps origin access controls as AWS does, but drops an origin's ``OriginAccessControlId``
from a distribution: what a distribution sends is checked on the request itself."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from xml.etree.ElementTree import Element

import pytest

from reconciler import xmlcodec as xml
from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from reconciler.errors import ConfigError
from reconciler.kinds.base import PlanOptions
from reconciler.kinds.origin_access_control.live import LiveOriginAccessControl
from reconciler.live.model import LiveState
from reconciler.plan.model import Action
from reconciler.plan.planner import plan
from reconciler.spec.loader import load_spec
from tests.cli import run_cli, user_env
from tests.live_states import live_state
from tests.reconcile import Harness, spec_file

SPEC = """\
version: 1
stack: oac
origin_access_controls:
  site-oac:
    description: signs requests to the site bucket
"""

WITH_DISTRIBUTION = """\
version: 1
stack: oac
buckets:
  oac-site: {}
origin_access_controls:
  site-oac: {}
distributions:
  cdn:
    origins:
      - {id: site, bucket: oac-site, origin_access_control: site-oac}
    default_cache_behavior: {target_origin: site, viewer_protocol_policy: redirect-to-https}
"""


@pytest.fixture
def env(endpoint: str, tmp_path: Path) -> dict[str, str]:
    (tmp_path / "reconciler.yaml").write_text(SPEC, encoding="utf-8")
    return user_env(tmp_path, endpoint=endpoint, secret="oac-secret")


def _controls(boto_cloudfront: Any) -> list[dict[str, Any]]:
    listed = boto_cloudfront.list_origin_access_controls()["OriginAccessControlList"]
    return list(listed.get("Items") or [])


def _write(tmp_path: Path, text: str) -> None:
    (tmp_path / "reconciler.yaml").write_text(text, encoding="utf-8")


def test_an_origin_access_control_is_created_marked_and_then_in_sync(
    env: dict[str, str], tmp_path: Path, boto_cloudfront: Any
) -> None:
    planned = run_cli("plan", "--detailed-exitcode", cwd=tmp_path, env=env)
    assert planned.returncode == 2, planned.stderr
    assert "+ origin_access_control.site-oac will be created" in planned.stdout
    applied = run_cli("apply", "--auto-approve", cwd=tmp_path, env=env)
    assert applied.returncode == 0, applied.stderr
    (made,) = _controls(boto_cloudfront)
    assert made["Name"] == "site-oac"
    assert made["Description"] == (
        "signs requests to the site bucket (reconciler:stack=oac, reconciler:name=site-oac)"
    )
    assert (made["SigningBehavior"], made["OriginAccessControlOriginType"]) == ("always", "s3")
    again = run_cli("plan", "--detailed-exitcode", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stdout + again.stderr


def test_a_change_by_hand_is_drift_and_apply_puts_it_back(
    env: dict[str, str], tmp_path: Path, boto_cloudfront: Any
) -> None:
    assert run_cli("apply", "--auto-approve", cwd=tmp_path, env=env).returncode == 0
    (made,) = _controls(boto_cloudfront)
    found = boto_cloudfront.get_origin_access_control(Id=made["Id"])
    config = found["OriginAccessControl"]["OriginAccessControlConfig"]
    boto_cloudfront.update_origin_access_control(
        Id=made["Id"],
        IfMatch=found["ETag"],
        OriginAccessControlConfig={**config, "SigningBehavior": "never"},
    )
    drift = run_cli("drift", "--format", "json", cwd=tmp_path, env=env)
    assert drift.returncode == 2, drift.stderr
    (resource,) = json.loads(drift.stdout)["resources"]
    assert resource["address"] == "origin_access_control.site-oac"
    assert resource["differences"] == [
        {"path": "signing_behavior", "expected": "always", "actual": "never", "type": "not_equal"}
    ]
    assert run_cli("apply", "--auto-approve", cwd=tmp_path, env=env).returncode == 0
    (now,) = _controls(boto_cloudfront)
    assert now["SigningBehavior"] == "always"


def test_one_without_a_mark_holding_the_name_is_adopted_one_of_another_stack_refused(
    env: dict[str, str], tmp_path: Path, boto_cloudfront: Any
) -> None:
    boto_cloudfront.create_origin_access_control(
        OriginAccessControlConfig={
            "Name": "site-oac",
            "Description": "made by hand",
            "SigningProtocol": "sigv4",
            "SigningBehavior": "always",
            "OriginAccessControlOriginType": "s3",
        }
    )
    planned = run_cli("plan", cwd=tmp_path, env=env)
    assert planned.returncode == 0, planned.stderr
    assert "= origin_access_control.site-oac" in planned.stdout
    assert "is named 'site-oac' and has no reconciler:stack mark" in planned.stdout
    assert run_cli("apply", "--auto-approve", cwd=tmp_path, env=env).returncode == 0
    (adopted,) = _controls(boto_cloudfront)
    assert adopted["Description"].endswith("(reconciler:stack=oac, reconciler:name=site-oac)")

    _write(tmp_path, SPEC.replace("stack: oac", "stack: other"))
    refused = run_cli("plan", cwd=tmp_path, env=env)
    assert refused.returncode == 1
    assert (
        f"origin_access_control.site-oac: the name 'site-oac' is held by origin access "
        f"control {adopted['Id']} (stack 'oac'); a name is unique in the account"
    ) in refused.stdout + refused.stderr


def test_import_writes_a_spec_that_plans_only_the_adoption(
    env: dict[str, str], tmp_path: Path, boto_cloudfront: Any
) -> None:
    made = boto_cloudfront.create_origin_access_control(
        OriginAccessControlConfig={
            "Name": "media",
            "Description": "",
            "SigningProtocol": "sigv4",
            "SigningBehavior": "no-override",
            "OriginAccessControlOriginType": "s3",
        }
    )["OriginAccessControl"]
    imported = run_cli(
        "import", "--origin-access-control", made["Id"], "--stack", "oac", "-o", "imported.yaml",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    text = (tmp_path / "imported.yaml").read_text(encoding="utf-8")
    assert "origin_access_controls:\n  media:\n    signing_behavior: no-override\n" in text
    planned = run_cli("plan", "-f", "imported.yaml", "--format", "json", cwd=tmp_path, env=env)
    assert planned.returncode == 0, planned.stderr
    (change,) = json.loads(planned.stdout)["changes"]
    assert (change["address"], change["action"], change["aspects"]) == (
        "origin_access_control.media",
        "adopt",
        [],
    )


def test_destroy_deletes_it_and_permissions_name_its_actions(
    env: dict[str, str], tmp_path: Path, boto_cloudfront: Any
) -> None:
    assert run_cli("apply", "--auto-approve", cwd=tmp_path, env=env).returncode == 0
    policy = json.loads(run_cli("permissions", cwd=tmp_path, env=env).stdout)
    found = {s["Sid"]: s["Action"] for s in policy["Statement"]}
    assert "cloudfront:CreateOriginAccessControl" in found["OriginAccessControls"]
    read_only = json.loads(run_cli("permissions", "--for", "plan", cwd=tmp_path, env=env).stdout)
    reads = {s["Sid"]: s["Action"] for s in read_only["Statement"]}["OriginAccessControls"]
    assert reads == ["cloudfront:ListOriginAccessControls"]

    destroyed = run_cli("destroy", "--auto-approve", cwd=tmp_path, env=env)
    assert destroyed.returncode == 0, destroyed.stderr
    assert "origin_access_control.site-oac" in destroyed.stdout
    assert _controls(boto_cloudfront) == []


def test_a_spec_without_origin_access_controls_asks_cloudfront_nothing_of_them(
    env: dict[str, str], tmp_path: Path
) -> None:
    _write(tmp_path, "version: 1\nstack: oac\nbuckets: {oac-plain: {}}\n")
    policy = json.loads(run_cli("permissions", cwd=tmp_path, env=env).stdout)
    assert not any(s["Sid"] == "OriginAccessControls" for s in policy["Statement"])


# -- offline rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "origin_access_controls:\n  a: {name: " + "x" * 65 + "}\n",
            "origin_access_controls.a.name: a name is 1 to 64 characters",
        ),
        (
            "origin_access_controls:\n  a: {name: same}\n  b: {name: same}\n",
            "origin access controls 'a' and 'b' have the same name 'same'",
        ),
        (
            "origin_access_controls:\n  a: {description: " + "d" * 240 + "}\n",
            "with the ownership mark it carries",
        ),
        (
            "distributions:\n  cdn:\n"
            "    origins: [{id: o, bucket: b, origin_access_control: nope}]\n"
            "    default_cache_behavior: {target_origin: o, viewer_protocol_policy: allow-all}\n",
            "origin access control 'nope' is not declared under origin_access_controls",
        ),
        (
            "origin_access_controls: {a: {}}\ndistributions:\n  cdn:\n    origins: [{id: o, "
            "bucket: b, origin_access_control: a, origin_access_control_id: E1}]\n"
            "    default_cache_behavior: {target_origin: o, viewer_protocol_policy: allow-all}\n",
            "give origin_access_control or origin_access_control_id, not both",
        ),
    ],
)
def test_its_offline_rules(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("version: 1\nstack: oac\n" + text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_spec([str(path)], cli_vars={}, env={})
    assert any(message in str(issue) for issue in raised.value.issues), raised.value.issues


# -- a distribution's origin naming one ---------------------------------------------------------


def _plan(tmp_path: Path, live: LiveState) -> Any:
    path = tmp_path / "spec.yaml"
    path.write_text(WITH_DISTRIBUTION, encoding="utf-8")
    loaded = load_spec([str(path)], cli_vars={}, env={})
    return plan(loaded.spec, live, PlanOptions(default_region="us-east-1"))


def _oac(**marked: str) -> LiveOriginAccessControl:
    return LiveOriginAccessControl.of(
        id="E2OAC",
        name="site-oac",
        description="(reconciler:stack=oac, reconciler:name=site-oac)",
        signing_protocol="sigv4",
        signing_behavior="always",
        origin_type="s3",
        **marked,
    )


def test_the_access_control_is_written_before_the_distribution_that_names_it(
    tmp_path: Path,
) -> None:
    live = live_state(buckets={}, distributions=())
    found = _plan(tmp_path, LiveState({**live.parts, "origin_access_control": ()}))
    order = [c.address for c in found.changes]
    assert order.index("origin_access_control.site-oac") < order.index("distribution.cdn")
    cdn = found.change("distribution.cdn")
    assert "origin_access_control.site-oac" in cdn.depends_on
    (origin,) = next(a.after for a in cdn.aspects if a.aspect == "origins")
    assert origin["origin_access_control"] == "site-oac"
    assert origin["origin_access_control_id"] == "(known after apply)"

    existing = _plan(tmp_path, LiveState({**live.parts, "origin_access_control": (_oac(),)}))
    cdn = existing.change("distribution.cdn")
    (origin,) = next(a.after for a in cdn.aspects if a.aspect == "origins")
    assert origin["origin_access_control_id"] == "E2OAC"


class _Recording(CloudFrontClient):
    """The real client, keeping each distribution configuration it creates."""

    created: ClassVar[list[Element]] = []

    def create_distribution(self, config: Element, **options: Any) -> Any:
        self.created.append(config)
        return super().create_distribution(config, **options)


@dataclass
class _RecordingHarness(Harness):
    @property
    def cloudfront(self) -> CloudFrontClient:
        return _Recording(self.transport, endpoint_url=self.s3.endpoint_url)


def test_apply_sends_the_id_of_the_access_control_it_created(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_cloudfront: Any
) -> None:
    """The distribution's create carries the id CloudFront gave the access control moments
    before, in the same apply (moto then drops it from the distribution, so what was sent is
    what is checked)."""
    harness = _RecordingHarness(s3, transport)
    _Recording.created.clear()
    harness.apply(spec_file(tmp_path, WITH_DISTRIBUTION))
    (made,) = _controls(boto_cloudfront)
    (config,) = _Recording.created
    origin = config.find("Origins/Items/Origin")
    assert origin is not None
    assert xml.text(origin, "OriginAccessControlId") == made["Id"]


def test_a_destroy_deletes_the_distribution_before_the_access_control_it_uses(
    tmp_path: Path,
) -> None:
    from reconciler.destroy import absent
    from reconciler.kinds.distribution.live import LiveDistribution

    path = tmp_path / "spec.yaml"
    path.write_text(WITH_DISTRIBUTION, encoding="utf-8")
    spec = absent(load_spec([str(path)], cli_vars={}, env={}).spec)
    serving = LiveDistribution(
        id="E1CDN",
        arn="arn:aws:cloudfront::123456789012:distribution/E1CDN",
        aliases=(),
        tags={"reconciler:stack": "oac", "reconciler:name": "cdn"},
        fields={
            "origins": [{"id": "site", "bucket": "oac-site", "origin_access_control_id": "E2OAC"}]
        },
    )
    live = live_state(buckets={}, distributions=(serving,))
    found = plan(
        spec,
        LiveState({**live.parts, "origin_access_control": (_oac(),)}),
        PlanOptions(default_region="us-east-1", destroy=True),
    )
    actions = {c.address: c.action for c in found.changes}
    assert actions == {
        "distribution.cdn": Action.DELETE,
        "origin_access_control.site-oac": Action.DELETE,
    }
    assert found.change("origin_access_control.site-oac").depends_on == ("distribution.cdn",)
