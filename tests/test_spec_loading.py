"""Loading specs: examples, variables, defaults, merging files, left-out versus false, warnings,
and the JSON Schema kept in step with the models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.errors import ConfigError
from reconciler.spec.loader import load_spec
from reconciler.spec.schema import generate_schema, schema_text, spec_schema_text
from tests.cli import run_cli

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


HEAD = "version: 1\nstack: test\n"


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_validates_and_points_at_the_schema(example: Path) -> None:
    loaded = load_spec([str(example)], env={})
    assert loaded.spec.buckets
    first = example.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/reconciler.schema.json"


def test_there_are_at_least_four_examples() -> None:
    assert {p.stem for p in EXAMPLES} >= {
        "static-website",
        "data-lake",
        "log-archive",
        "environments",
    }


def test_the_shipped_schema_is_current() -> None:
    assert spec_schema_text() == schema_text(generate_schema()), (
        "run: python -m reconciler.spec.schema"
    )
    # the repository's schemas/ folder shows the same file
    assert (ROOT / "schemas" / "reconciler.schema.json").read_text() == spec_schema_text()


def test_the_schema_describes_every_field() -> None:
    schema = json.loads(spec_schema_text())
    bucket = schema["$defs"]["Bucket"]["properties"]
    assert {"region", "lifecycle", "logging", "policy", "website", "acl"} <= set(bucket)
    missing = [
        f"{name}.{field}"
        for name, definition in schema["$defs"].items()
        for field, body in definition.get("properties", {}).items()
        if not body.get("description")
    ]
    assert missing == []


def test_schema_command_prints_the_schema() -> None:
    result = run_cli("schema")
    assert result.returncode == 0
    assert result.stdout == spec_schema_text()


def test_variables_from_vars_cli_and_environment(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + """vars: {env: staging, days: 30}
buckets:
  app-${var.env}-data:
    region: ${env.TEST_REGION}
    tags: {env: "${var.env}", mixed: "${var.env}-${var.days}"}
    website: {index_document: index.html, error_document: "$${var.env}.html"}
    lifecycle:
      - id: r
        expiration: {days: "${var.days}"}
""",
    )
    loaded = load_spec([path], env={"TEST_REGION": "eu-north-1"}, cli_vars={"env": "prod"})
    ((name, bucket),) = loaded.spec.buckets.items()
    assert name == "app-prod-data"
    assert bucket.region == "eu-north-1"
    assert bucket.tags == {"env": "prod", "mixed": "prod-30"}
    assert bucket.website
    assert bucket.website.error_document == "${var.env}.html"  # $${ writes a literal ${
    assert bucket.lifecycle is not None
    assert bucket.lifecycle[0].expiration is not None
    assert bucket.lifecycle[0].expiration.days == 30  # a whole reference keeps its type


def test_variables_may_use_other_variables_and_the_environment(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + """vars:
  stage: "${env.TEST_STAGE}"
  name: "app-${var.env}-${var.stage}"
  env: prod
buckets:
  ${var.name}: {tags: {env: "${var.env}"}}
""",
    )
    loaded = load_spec([path], env={"TEST_STAGE": "blue"})
    assert list(loaded.spec.buckets) == ["app-prod-blue"]
    assert loaded.spec.vars["name"] == "app-prod-blue"
    overridden = load_spec([path], env={"TEST_STAGE": "blue"}, cli_vars={"env": "dev"})
    assert list(overridden.spec.buckets) == ["app-dev-blue"]


def test_defaults_merge_tags_and_replace_everything_else(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + """defaults:
  bucket:
    region: eu-west-1
    versioning: enabled
    tags: {team: web, env: prod}
    public_access_block: {block_public_acls: true, block_public_policy: true}
buckets:
  plain-bucket: {}
  own-bucket:
    region: us-east-1
    tags: {env: dev}
    public_access_block: {ignore_public_acls: true}
""",
    )
    buckets = load_spec([path], env={}).spec.buckets
    plain, own = buckets["plain-bucket"], buckets["own-bucket"]
    assert (plain.region, plain.versioning, plain.tags) == (
        "eu-west-1",
        "enabled",
        {"team": "web", "env": "prod"},
    )
    assert (own.region, own.versioning, own.tags) == (
        "us-east-1",
        "enabled",
        {"team": "web", "env": "dev"},
    )
    assert own.public_access_block
    assert own.public_access_block.block_public_acls is False  # replaced, not merged


def test_left_out_differs_from_false_and_empty(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + """buckets:
  unmanaged-bucket: {}
  absent-aspects:
    tags: {}
    lifecycle: []
    cors: []
    logging: false
    policy: false
    encryption: false
    website: false
    public_access_block: false
    object_ownership: false
""",
    )
    buckets = load_spec([path], env={}).spec.buckets
    unmanaged, absent = buckets["unmanaged-bucket"], buckets["absent-aspects"]
    aspects = [
        "tags",
        "lifecycle",
        "cors",
        "logging",
        "policy",
        "encryption",
        "website",
        "public_access_block",
        "object_ownership",
    ]
    assert all(getattr(unmanaged, a) is None for a in aspects)
    assert [getattr(absent, a) for a in aspects] == [{}, [], [], *[False] * 6]


def test_anchors_merge_keys_and_string_keys(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + """buckets:
  first-bucket: &common
    versioning: enabled
    tags: {on: "yes", no: maybe}
  second-bucket:
    <<: *common
    versioning: suspended
""",
    )
    buckets = load_spec([path], env={}).spec.buckets
    assert buckets["first-bucket"].tags == {"on": "yes", "no": "maybe"}  # keys stay text
    assert buckets["second-bucket"].versioning == "suspended"  # own keys win over <<
    assert buckets["second-bucket"].tags == {"on": "yes", "no": "maybe"}


def test_a_directory_is_every_yaml_below_it_merged(tmp_path: Path) -> None:
    write(tmp_path, HEAD + "buckets:\n  bucket-one: {}\n", "stack/a.yaml")
    write(tmp_path, HEAD + "buckets:\n  bucket-two: {}\n", "stack/nested/b.yml")
    write(tmp_path, "not: a spec\n", "stack/notes.txt")
    loaded = load_spec([str(tmp_path / "stack")], env={})
    assert set(loaded.spec.buckets) == {"bucket-one", "bucket-two"}
    assert [Path(f).name for f in loaded.files] == ["a.yaml", "b.yml"]


def test_missing_paths_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_spec([str(tmp_path / "nope.yaml")], env={})
    assert str(caught.value.issues[0]).endswith("nope.yaml: no such file or directory")


def test_without_files_the_default_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_spec([], env={})
    assert str(caught.value.issues[0]) == (
        "reconciler.yaml: no such file (the default spec; give -f FILE or DIRECTORY)"
    )
    (tmp_path / "reconciler.yaml").write_text(HEAD)
    assert load_spec([], env={}).spec.stack == "test"


def test_warnings_do_not_fail_the_spec(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + """buckets:
  site-bucket:
    acl: public-read
    logging: {target_bucket: somewhere-else}
distributions:
  cdn: {comment: adopt me}
""",
    )
    loaded = load_spec([path], env={})
    messages = [str(w) for w in loaded.warnings]
    assert any("new buckets default to object_ownership BucketOwnerEnforced" in m for m in messages)
    assert any("target bucket 'somewhere-else' is not declared in this spec" in m for m in messages)
    assert any(
        "origins and default_cache_behavior left out: the distribution can be adopted" in m
        for m in messages
    )
    assert all(": warning: " in m for m in messages)


def test_validate_prints_warnings_and_succeeds(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "buckets:\n  site-bucket:\n    acl: public-read\n")
    result = run_cli("validate", "-f", path)
    assert result.returncode == 0
    assert "warning: buckets.site-bucket.acl: on AWS, new buckets default" in result.stderr
    assert result.stdout.startswith("The spec is valid: stack 'test', 1 bucket(s)")


def test_a_bad_var_option_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD)
    result = run_cli("validate", "-f", path, "--var", "novalue")
    assert result.returncode == 1
    assert "--var 'novalue': give NAME=VALUE" in result.stderr


def test_the_digest_follows_the_content(tmp_path: Path) -> None:
    one = load_spec([write(tmp_path, HEAD + "buckets:\n  a-bucket: {}\n", "one.yaml")], env={})
    same = load_spec([write(tmp_path, HEAD + "buckets: {a-bucket: {}}\n", "two.yaml")], env={})
    other = load_spec([write(tmp_path, HEAD + "buckets: {b-bucket: {}}\n", "three.yaml")], env={})
    assert one.digest == same.digest != other.digest
    assert one.digest.startswith("sha256:")


def test_region_check_false_lets_a_store_name_its_own_regions(tmp_path: Path) -> None:
    text = "version: 1\nstack: s\n{check}buckets:\n  store-bucket: {{region: garage}}\n"
    with pytest.raises(ConfigError) as refused:
        load_spec([write(tmp_path, text.format(check=""))], cli_vars={}, env={})
    assert "'garage' is not an AWS region" in str(refused.value)
    loaded = load_spec(
        [write(tmp_path, text.format(check="region_check: false\n"))], cli_vars={}, env={}
    )
    assert loaded.spec.buckets["store-bucket"].region == "garage"
    assert loaded.spec.region_check is False


def test_distributions_left_out_are_unmanaged_and_empty_means_none(tmp_path: Path) -> None:
    base = "version: 1\nstack: s\nbuckets:\n  s-bucket: {}\n"
    left_out = load_spec([write(tmp_path, base)], cli_vars={}, env={})
    assert left_out.spec.manages_distributions is False
    empty = load_spec([write(tmp_path, base + "distributions: {}\n")], cli_vars={}, env={})
    assert empty.spec.manages_distributions is True
    assert empty.spec.distributions == {}


def test_aws_spelling_of_a_choice_is_accepted_and_read_as_documented(tmp_path: Path) -> None:
    text = (
        "version: 1\nstack: s\nbuckets:\n  case-bucket:\n    versioning: Enabled\n"
        "    object_ownership: BucketOwnerPreferred\n    acl: Log-Delivery-Write\n"
        "    lifecycle: [{id: r, transitions: [{days: 40, storage_class: glacier_ir}]}]\n"
        "    cors: [{allowed_methods: [get], allowed_origins: ['*']}]\n"
    )
    bucket = load_spec([write(tmp_path, text)], cli_vars={}, env={}).spec.buckets["case-bucket"]
    assert bucket.versioning == "enabled"
    assert bucket.acl == "log-delivery-write"
    assert bucket.lifecycle is not None
    assert bucket.lifecycle[0].transitions[0].storage_class == "GLACIER_IR"
    assert bucket.cors is not None
    assert bucket.cors[0].allowed_methods == ["GET"]
    with pytest.raises(ConfigError) as refused:
        load_spec([write(tmp_path, text.replace("Enabled", "Enabld"))], cli_vars={}, env={})
    assert "must be 'enabled' or 'suspended' (got 'Enabld')" in str(refused.value)


def test_the_checked_in_field_reference_is_current() -> None:
    from reconciler.spec.reference import reference_text

    checked_in = (Path(__file__).parent.parent / "docs" / "reference.md").read_text()
    assert checked_in == reference_text(), (
        "docs/reference.md is stale: reconciler schema --format markdown -o docs/reference.md"
    )


def test_the_field_reference_names_every_field_of_every_model() -> None:
    from reconciler.spec.reference import reference_text
    from reconciler.spec.schema import spec_schema

    text = reference_text()
    schema = spec_schema()
    for name, model in schema["$defs"].items():
        assert f"\n## {name}\n" in text, name
        for field in model.get("properties", {}):
            assert f"| `{field}` |" in text, f"{name}.{field}"


def test_compact_events_keep_what_pyyaml_said() -> None:
    import yaml

    from reconciler.spec import yaml_events

    text = (
        "version: 1\nstack: s  # comment\nbase: &b {a: 1, 'b': \"two\"}\nbuckets:\n"
        "  x: {<<: *b, tags: !!map {k: v}}\n  y:\n    - |\n      multi\n      line\n"
        "    - ${var.z}\n---\nsecond: doc\n"
    )
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    theirs = list(yaml.parse(text, Loader=loader))
    ours = yaml_events.compact(yaml.parse(text, Loader=loader))
    assert len(ours) == len(theirs)
    for mine, original in zip(ours, theirs, strict=True):
        assert type(mine).__name__ in type(original).__name__ or type(mine) is yaml_events.Event
        for field in ("value", "tag", "implicit", "anchor", "style"):
            if hasattr(original, field):
                assert getattr(mine, field) == getattr(original, field), field
        assert (mine.start_mark.line, mine.start_mark.column) == (
            original.start_mark.line,
            original.start_mark.column,
        )
        assert (mine.end_mark.line, mine.end_mark.column) == (
            original.end_mark.line,
            original.end_mark.column,
        )
    kinds = {type(e).__name__ for e in ours}
    assert {"Scalar", "MappingStart", "SequenceEnd", "Alias", "DocumentStart"} <= kinds
