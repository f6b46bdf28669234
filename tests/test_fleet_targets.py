"""The targets file: loaded and checked like a spec (every problem at once, at its place), its
targets (accounts x regions, excludes, per-target variables and roles), accounts selected
from Organizations on the emulator (OU paths, tags, paging, a throttling answer waited out),
``${target.NAME}`` in a spec, and ``reconciler targets`` in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.aws.config import RetryPolicy
from reconciler.aws.signing import Credentials
from reconciler.aws.transport import Transport
from reconciler.errors import ConfigError
from reconciler.fleet.model import Organization
from reconciler.fleet.organizations import Organizations, select
from reconciler.fleet.targets import expand, load_targets, targets_digest
from reconciler.spec.loader import load_spec
from tests.cli import run_cli, user_env
from tests.fleet_org import make_org
from tests.stub_server import Answer, stub_server

CASES = Path(__file__).parent / "fleet_cases"

FLEET = """\
# yaml-language-server: $schema=../schemas/targets.schema.json
version: 1
role: {name: deploy, session_name: fleet-run}
regions: [us-east-1, eu-west-1]
variables: {team: platform, retention: 30}
accounts:
  - {id: "111111111111", name: prod-a, variables: {team: web}}
  - id: 222222222222
    regions: [us-west-2]
    role: {arn: "arn:aws-us-gov:iam::{account}:role/ops/deploy", external_id: "${env.EXT}"}
  - {id: "333333333333"}
exclude: ["333333333333/eu-west-1"]
"""


def write(tmp_path: Path, text: str, name: str = "targets.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_a_file_names_accounts_by_regions_less_the_excluded(tmp_path: Path) -> None:
    loaded = load_targets(write(tmp_path, FLEET), env={"EXT": "shared-id"})
    targets = expand(loaded)
    assert [t.id for t in targets] == [
        "111111111111/us-east-1",
        "111111111111/eu-west-1",
        "222222222222/us-west-2",
        "333333333333/us-east-1",
    ]
    first, _, gov, last = targets
    assert first.role_arn == "arn:aws:iam::111111111111:role/deploy"
    assert first.session_name == "fleet-run"
    assert first.spec_values() == {
        "team": "web",  # the account's own over the file's
        "retention": 30,
        "account": "111111111111",  # YAML's number read as the id's digits
        "region": "us-east-1",
        "account_name": "prod-a",
        "ou": "",
    }
    assert gov.account == "222222222222"
    assert gov.role_arn == "arn:aws-us-gov:iam::222222222222:role/ops/deploy"
    assert gov.external_id == "shared-id"
    assert "shared-id" not in json.dumps(gov.to_json()) + repr(gov)  # never shown
    assert last.spec_values()["account_name"] == "333333333333"
    # the same fleet gives the same digest; another role, another fleet
    assert targets_digest(targets) == targets_digest(list(reversed(targets)))
    assert targets_digest(targets) != targets_digest(targets[:3])


@pytest.mark.parametrize("case", sorted(p.stem for p in CASES.glob("*.yaml")))
def test_a_wrong_file_is_reported_whole_at_each_place(case: str) -> None:
    """Each case's every error line, exactly: ``FILE:LINE:COL: path: message``."""
    path = CASES / f"{case}.yaml"
    expected = (CASES / f"{case}.errors").read_text().splitlines()
    with pytest.raises(ConfigError) as raised:
        load_targets(str(path), env={})
    got = [str(i).replace(str(CASES) + "/", "") for i in raised.value.issues]
    assert got == expected


def test_a_missing_file_says_which_and_how_to_name_another(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"targets\.yaml: no such targets file \(the default; "):
        load_targets(None, env={})
    with pytest.raises(ConfigError, match=r"nope\.yaml: no such targets file$"):
        load_targets(str(tmp_path / "nope.yaml"), env={})


SPEC = """\
version: 1
stack: baseline
vars: {prefix: "base-${target.account}"}
buckets:
  ${var.prefix}-${target.region}-logs:
    tags: {team: "${target.team}", days: "${target.retention}d"}
"""


def test_the_spec_reads_each_targets_values(tmp_path: Path) -> None:
    spec = write(tmp_path, SPEC, "spec.yaml")
    targets = expand(load_targets(write(tmp_path, FLEET), env={"EXT": "x"}))
    loaded = load_spec([spec], target=targets[1].spec_values())
    bucket = loaded.spec.buckets["base-111111111111-eu-west-1-logs"]
    assert bucket.tags == {"team": "web", "days": "30d"}


def test_a_spec_naming_a_target_outside_a_fleet_says_how_to_give_one(tmp_path: Path) -> None:
    spec = write(tmp_path, SPEC, "spec.yaml")
    with pytest.raises(ConfigError) as raised:
        load_spec([spec])
    lines = [str(i) for i in raised.value.issues]
    assert lines[0].endswith(
        "spec.yaml:3:22: vars.prefix: ${target.account} names a fleet target, and none is "
        "given: run over a fleet with --targets FILE"
    )
    with pytest.raises(ConfigError) as raised:
        load_spec([spec], target={"account": "1", "region": "r", "team": "t"})
    assert [str(i).split(": ", 1)[1] for i in raised.value.issues] == [
        "buckets.base-1-r-logs.tags.days: the target has no variable 'retention' "
        "(${target.retention}; known: account, region, team)"
    ]


# -- Organizations ---------------------------------------------------------------------------

LAYOUT = {
    "/workloads/prod": [(f"prod-{i}", {"baseline": "on"}) for i in range(23)],
    "/workloads/prod/frozen": [("frozen-0", {"baseline": "on"})],
    "/workloads/dev": [("dev-0", {"baseline": "on"}), ("dev-1", {"baseline": "off"})],
    "/sandbox": [("sandbox-0", {"baseline": "on", "skip": "yes"})],
}


def test_accounts_are_selected_by_ou_path_and_tags(endpoint: str, transport: Transport) -> None:
    org = make_org(endpoint, LAYOUT)
    client = Organizations(transport, region="us-east-1", endpoint_url=endpoint)
    prod = select(
        client, Organization(ous=["/workloads/prod"], exclude_ous=["/workloads/prod/frozen"])
    )
    # 23 accounts: two pages of ListAccountsForParent (20 at most each, as AWS pages them)
    assert sorted(a.id for a in prod) == sorted(org.accounts[f"prod-{i}"] for i in range(23))
    assert {a.ou for a in prod} == {"/workloads/prod"}
    assert {a.name for a in prod} == {f"prod-{i}" for i in range(23)}
    tagged = select(
        client,
        Organization(ous=["/workloads", org.ous["/sandbox"]], tags={"baseline": "on"},
                     exclude_tags={"skip": "*"}),
    )  # fmt: skip
    names = {a.name for a in tagged}
    assert names == {f"prod-{i}" for i in range(23)} | {"frozen-0", "dev-0"}
    assert {a.ou for a in tagged if a.name == "frozen-0"} == {"/workloads/prod/frozen"}
    calls = client.calls
    select(client, Organization(ous=["/workloads"], tags={"baseline": "on"}))
    assert client.calls == calls  # every answer kept for the run


def test_an_ou_the_organization_lacks_is_named_at_its_place(
    endpoint: str, transport: Transport, tmp_path: Path
) -> None:
    make_org(endpoint, {"/prod": []})
    text = (
        "version: 1\nrole: {name: r}\nregions: [us-east-1]\norganization:\n  ous: [/prod, /prd]\n"
    )
    loaded = load_targets(write(tmp_path, text), env={})
    assert loaded.file.organization is not None
    client = Organizations(transport, region="us-east-1", endpoint_url=endpoint)
    with pytest.raises(ConfigError) as raised:
        select(client, loaded.file.organization, loaded.source)
    assert [str(i).replace(str(tmp_path) + "/", "") for i in raised.value.issues] == [
        "targets.yaml:5:16: organization.ous[1]: no OU '/prd' in the organization "
        "(its OUs: /, /prod)"
    ]


def test_a_throttled_organizations_call_waits_and_is_sent_again() -> None:
    throttled = Answer(
        400,
        b'{"__type": "TooManyRequestsException", "Message": "Rate exceeded"}',
        {"content-type": "application/x-amz-json-1.1"},
    )
    roots = Answer(200, b'{"Roots": [{"Id": "r-ab12", "Name": "Root"}]}')
    page1 = Answer(200, b'{"OrganizationalUnits": [], "NextToken": "t2"}')
    page2 = Answer(200, b'{"OrganizationalUnits": [{"Id": "ou-ab12-00000001", "Name": "p"}]}')
    empty = Answer(200, b'{"OrganizationalUnits": []}')
    waits: list[float] = []
    with (
        stub_server(throttled, roots, throttled, page1, page2, empty) as stub,
        Transport(
            credentials=Credentials("AKID", "secret"), sleep=waits.append, jitter=lambda: 1.0
        ) as transport,
    ):
        client = Organizations(
            transport,
            region="eu-west-1",
            endpoint_url=stub.url,
            backoff=RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=1.0),
        )
        units = client.units()
    assert [u.path for u in units] == ["/", "/p"]
    assert waits == [0.5, 0.5]  # backed off once per throttled answer
    first = stub.received[0]
    assert first.headers["x-amz-target"] == "AWSOrganizationsV20161128.ListRoots"
    assert "us-east-1/organizations/aws4_request" in first.headers["authorization"]
    assert json.loads(stub.received[4].body) == {"ParentId": "r-ab12", "NextToken": "t2"}


def test_an_organizations_refusal_is_one_clear_error() -> None:
    denied = Answer(
        400,
        b'{"__type": "com.amazonaws#AccessDeniedException", '
        b'"message": "not the management account"}',
    )
    with stub_server(denied) as stub, Transport(credentials=Credentials("AKID", "s")) as transport:
        client = Organizations(transport, region="us-east-1", endpoint_url=stub.url)
        with pytest.raises(
            Exception, match="AccessDeniedException: ListRoots: not the management account"
        ):
            client.root()
    assert len(stub.received) == 1  # not retried


# -- the command -----------------------------------------------------------------------------


def test_targets_lists_and_writes_matrices(tmp_path: Path) -> None:
    path = write(tmp_path, FLEET)
    env = {**user_env(tmp_path, endpoint=None), "EXT": "x"}
    listed = run_cli("targets", "--targets", path, "--shards", "2", env=env)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].startswith("4 target(s) in 3 account(s); 2 shard(s), of ")
    assert lines[1].startswith(
        "  111111111111/us-east-1  prod-a  arn:aws:iam::111111111111:role/deploy  shard "
    )
    matrix = run_cli("targets", "--targets", path, "--format", "github-matrix", env=env)
    include = json.loads(matrix.stdout)["include"]
    assert [e["shard"] for e in include] == ["1/3", "2/3", "3/3"]  # one per account
    assert sum(e["targets"] for e in include) == 4
    listed_json = json.loads(
        run_cli("targets", "--targets", path, "--format", "json", env=env).stdout
    )
    assert listed_json["count"] == 4
    assert listed_json["kind"] == "reconciler-targets"
    too_many = run_cli(
        "targets", "--targets", path, "--format", "github-matrix", "--shards", "300", env=env
    )
    assert too_many.returncode == 1
    assert "a github-matrix runs at most 256 jobs" in too_many.stderr


def test_targets_check_assumes_each_accounts_role_once(endpoint: str, tmp_path: Path) -> None:
    path = write(tmp_path, FLEET.replace('external_id: "${env.EXT}"', "external_id: ext"))
    done = run_cli(
        "--log-level", "debug", "targets", "check", "--targets", path,
        env=user_env(tmp_path, endpoint=endpoint, secret="hub-secret"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    gov = "arn:aws-us-gov:iam::222222222222:role/ops/deploy"
    assert done.stdout.splitlines() == [
        "  ✓ 111111111111/us-east-1: arn:aws:iam::111111111111:role/deploy can be assumed",
        "  ✓ 111111111111/eu-west-1: arn:aws:iam::111111111111:role/deploy can be assumed",
        f"  ✓ 222222222222/us-west-2: {gov} can be assumed",
        "  ✓ 333333333333/us-east-1: arn:aws:iam::333333333333:role/deploy can be assumed",
    ]
    assert done.stderr.count("POST / -> 200") == 3  # AssumeRole: one per account
    assert "Every target's role can be assumed (4 targets)." in done.stderr


def test_the_published_schemas_are_current() -> None:
    from reconciler.fleet.schemas import SCHEMAS, text

    folder = Path(__file__).parent.parent / "schemas"
    for name in SCHEMAS:
        assert (folder / name).read_text() == text(name), "run: python -m reconciler.fleet.schemas"


def test_the_schema_takes_a_valid_targets_file_and_refuses_a_wrong_one(tmp_path: Path) -> None:
    import jsonschema
    import yaml

    from reconciler.fleet.schemas import generate

    schema = generate("targets.schema.json")
    jsonschema.validate(
        yaml.safe_load(FLEET.replace("id: 222222222222", 'id: "222222222222"')), schema
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": 1, "role": {"nam": "x"}, "regions": []}, schema)
