"""``reconciler import`` against the emulator: every example, applied and imported into a new spec
of the same stack, plans no changes; resources made with boto3 alone, imported, plan nothing but
their adoption, and after it nothing at all; no secret is written; the output is stable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler import importer
from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from reconciler.live.model import NAME_TAG, STACK_TAG
from reconciler.plan.model import Action
from reconciler.spec.loader import load_spec
from tests.cli import run_cli, user_env
from tests.reconcile import Harness
from tests.test_reconcile_examples import EXAMPLES

SECRET = "origin-shared-secret-4711"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "OwnFolder",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::handmade-data/home/${aws:username}/*",
        }
    ],
}


@pytest.fixture
def harness(s3: S3Client, transport: Transport) -> Harness:
    return Harness(s3, transport)


def ids_of(boto: Any, stack: str) -> list[str]:
    listing = boto.list_distributions()["DistributionList"].get("Items", [])
    return [
        d["Id"]
        for d in listing
        if {"Key": STACK_TAG, "Value": stack}
        in boto.list_tags_for_resource(Resource=d["ARN"])["Tags"].get("Items", [])
    ]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_an_applied_example_imported_into_a_new_spec_plans_no_changes(
    example: Path,
    tmp_path: Path,
    s3: S3Client,
    transport: Transport,
    boto_cloudfront: Any,
) -> None:
    loaded = load_spec([str(example)], cli_vars={}, env={})
    harness = Harness(s3, transport)
    harness.apply(loaded)
    stack = loaded.spec.stack
    request = importer.ImportRequest(
        stack,
        buckets=tuple(loaded.spec.buckets),
        distribution_ids=tuple(ids_of(boto_cloudfront, stack)),
    )
    imported = importer.render(importer.read(harness.reader(), request), request)
    again = importer.render(importer.read(harness.reader(), request), request)
    assert imported.text == again.text  # stable: same resources, same text
    path = tmp_path / "imported.yaml"
    path.write_text(imported.text, encoding="utf-8")
    respec = load_spec([str(path)], cli_vars={}, env={})
    assert set(respec.spec.buckets) == set(loaded.spec.buckets)
    assert set(respec.spec.distributions) == set(loaded.spec.distributions)
    plan = harness.plan(respec)
    assert plan.diagnostics == ()
    assert [c.address for c in plan.changes] == []


def handmade(boto_s3: Any, boto_cloudfront: Any) -> str:
    """Buckets and a distribution made with boto3 alone, untagged by any stack."""
    boto_s3.create_bucket(
        Bucket="handmade-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    boto_s3.put_bucket_ownership_controls(
        Bucket="handmade-logs",
        OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]},
    )
    delivery = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "S3ServerAccessLogs",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::handmade-logs/*",
            }
        ],
    }
    boto_s3.put_bucket_policy(Bucket="handmade-logs", Policy=json.dumps(delivery))
    boto_s3.create_bucket(
        Bucket="handmade-data", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    data = "handmade-data"
    boto_s3.put_bucket_tagging(Bucket=data, Tagging={"TagSet": [{"Key": "team", "Value": "data"}]})
    boto_s3.put_bucket_versioning(Bucket=data, VersioningConfiguration={"Status": "Enabled"})
    boto_s3.put_public_access_block(
        Bucket=data,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )
    boto_s3.put_bucket_policy(Bucket=data, Policy=json.dumps(POLICY))
    boto_s3.put_bucket_encryption(
        Bucket=data,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": "alias/data",
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    boto_s3.put_bucket_lifecycle_configuration(
        Bucket=data,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "tier",
                    "Status": "Enabled",
                    "Filter": {"Prefix": "raw/"},
                    "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}],
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
                }
            ]
        },
    )
    boto_s3.put_bucket_cors(
        Bucket=data,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedMethods": ["GET", "HEAD"],
                    "AllowedOrigins": ["https://example.org"],
                    "MaxAgeSeconds": 600,
                }
            ]
        },
    )
    boto_s3.put_bucket_website(
        Bucket=data,
        WebsiteConfiguration={
            "IndexDocument": {"Suffix": "index.html"},
            "ErrorDocument": {"Key": "404.html"},
        },
    )
    boto_s3.put_bucket_logging(
        Bucket=data,
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "handmade-logs", "TargetPrefix": "data/"}
        },
    )
    made = boto_cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "handmade",
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "api",
                        "DomainName": "api.example.org",
                        "OriginPath": "/v1",
                        "CustomHeaders": {
                            "Quantity": 1,
                            "Items": [{"HeaderName": "X-Origin-Verify", "HeaderValue": SECRET}],
                        },
                        "CustomOriginConfig": {
                            "HTTPPort": 80,
                            "HTTPSPort": 443,
                            "OriginProtocolPolicy": "https-only",
                            "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
                        },
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "api",
                "ViewerProtocolPolicy": "redirect-to-https",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                "Compress": True,
            },
            "Comment": "made by hand",
            "Enabled": True,
            "PriceClass": "PriceClass_100",
        }
    )
    return str(made["Distribution"]["Id"])


def test_resources_made_by_hand_are_imported_and_only_adopted(
    tmp_path: Path, endpoint: str, harness: Harness, boto_s3: Any, boto_cloudfront: Any
) -> None:
    ident = handmade(boto_s3, boto_cloudfront)
    env = user_env(tmp_path, endpoint=endpoint, secret="import-secret")
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "reconciler.schema.json").write_text("{}")
    done = run_cli("import", "--all-unmanaged", "--stack", "adopted", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith("# yaml-language-server: $schema=schemas/reconciler.schema.json\n")
    assert SECRET not in text + done.stderr  # the header's value is never written
    variable = "RECONCILER_API_X_ORIGIN_VERIFY"
    assert f"set {variable}" in done.stderr
    # moto has no request payment: the import says it left it out, and goes on
    assert (
        "bucket.handmade-data: left out: the endpoint does not implement bucket request payer"
        in done.stderr
    )
    doc = yaml.safe_load(text)
    assert list(doc["buckets"]) == ["handmade-data", "handmade-logs"]  # stable order
    data = doc["buckets"]["handmade-data"]
    assert data["region"] == "eu-west-1"
    assert set(data) == {
        "region",
        "tags",
        "public_access_block",
        "policy",
        "encryption",
        "versioning",
        "lifecycle",
        "cors",
        "website",
        "logging",
    }
    assert data["policy"]["Statement"][0]["Resource"].endswith("/home/$${aws:username}/*")
    (name,) = doc["distributions"]
    dist = doc["distributions"][name]
    assert dist["id"] == ident
    assert dist["origins"][0]["custom_headers"] == {"X-Origin-Verify": f"${{env.{variable}}}"}
    assert dist["price_class"] == "PriceClass_100"

    (tmp_path / "reconciler.yaml").write_text(text, encoding="utf-8")
    loaded = load_spec([str(tmp_path / "reconciler.yaml")], cli_vars={}, env={variable: SECRET})
    assert loaded.spec.buckets["handmade-data"].policy == POLICY  # $${ read back as ${
    plan = harness.plan(loaded)
    assert plan.errors == ()
    assert {c.address: c.action for c in plan.changes} == {
        "bucket.handmade-data": Action.ADOPT,
        "bucket.handmade-logs": Action.ADOPT,
        f"distribution.{name}": Action.ADOPT,
    }
    for change in plan.changes:  # nothing but the ownership tags
        paths = {d.path for a in change.aspects for d in a.diff}
        expected = {f'["{STACK_TAG}"]'}
        if change.kind == "distribution":
            expected = {f'tags["{STACK_TAG}"]', f'tags["{NAME_TAG}"]'}
        assert paths == expected, change.address
    harness.execute(plan)
    assert harness.plan(loaded).changes == ()
    config = boto_cloudfront.get_distribution_config(Id=ident)["DistributionConfig"]
    header = config["Origins"]["Items"][0]["CustomHeaders"]["Items"][0]
    assert header["HeaderValue"] == SECRET


def test_import_refuses_what_it_cannot_describe(
    tmp_path: Path, endpoint: str, boto_s3: Any
) -> None:
    env = user_env(tmp_path, endpoint=endpoint, secret="import-secret")
    boto_s3.create_bucket(Bucket="owned-elsewhere")
    boto_s3.put_bucket_tagging(
        Bucket="owned-elsewhere", Tagging={"TagSet": [{"Key": STACK_TAG, "Value": "other"}]}
    )
    other = run_cli(
        "import", "--bucket", "owned-elsewhere", "--stack", "mine", cwd=tmp_path, env=env
    )
    assert other.returncode == 1
    assert "Error: bucket.owned-elsewhere: tagged reconciler:stack=other" in other.stderr
    gone = run_cli("import", "--bucket", "not-there", "-o", "x.yaml", cwd=tmp_path, env=env)
    assert gone.returncode == 1
    assert "Error: bucket.not-there: no such bucket" in gone.stderr
    assert not (tmp_path / "x.yaml").exists()
    nothing = run_cli("import", cwd=tmp_path, env=env)
    assert nothing.returncode == 1
    assert "--bucket NAME" in nothing.stderr
    unknown = run_cli("import", "--distribution", "E0000000000000", cwd=tmp_path, env=env)
    assert unknown.returncode == 1
    assert "E0000000000000" in unknown.stderr


def test_an_imported_acl_comes_with_the_ownership_that_allows_it(
    tmp_path: Path, endpoint: str, harness: Harness, boto_s3: Any
) -> None:
    """A bucket made before ownership controls, with a public-read ACL: the spec import writes
    re-creates it as it is (a new bucket would default to BucketOwnerEnforced, refusing the
    ACL), validates without a warning and plans nothing but the adoption."""
    boto_s3.create_bucket(Bucket="handmade-public", ACL="public-read")
    boto_s3.delete_bucket_ownership_controls(Bucket="handmade-public")
    env = user_env(tmp_path, endpoint=endpoint, secret="import-secret")
    done = run_cli("import", "--bucket", "handmade-public", "--stack", "own", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    bucket = yaml.safe_load(done.stdout)["buckets"]["handmade-public"]
    assert list(bucket) == ["region", "object_ownership", "acl"]  # the spec's order
    assert bucket["object_ownership"] == "ObjectWriter"
    (tmp_path / "reconciler.yaml").write_text(done.stdout, encoding="utf-8")
    loaded = load_spec([str(tmp_path / "reconciler.yaml")], cli_vars={}, env={})
    assert loaded.warnings == ()
    plan = harness.plan(loaded)
    assert [(c.address, c.action) for c in plan.changes] == [
        ("bucket.handmade-public", Action.ADOPT)
    ]


def test_import_never_replaces_a_file_or_writes_through_a_link_without_force(
    tmp_path: Path, endpoint: str, boto_s3: Any
) -> None:
    env = user_env(tmp_path, endpoint=endpoint, secret="import-secret")
    boto_s3.create_bucket(Bucket="import-kept")
    spec = tmp_path / "acme.yaml"
    spec.write_text("# the team's spec\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text("# another file\n", encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to(elsewhere)

    for name, what in (("acme.yaml", "exists"), ("link.yaml", "is a symbolic link")):
        done = run_cli("import", "--bucket", "import-kept", "-o", name, cwd=tmp_path, env=env)
        assert done.returncode == 1
        assert f"Error: {name} {what}: import never replaces a file; pass --force" in done.stderr
        assert "API request" not in done.stderr  # refused before reading anything
    assert spec.read_text(encoding="utf-8") == "# the team's spec\n"
    assert elsewhere.read_text(encoding="utf-8") == "# another file\n"

    forced = run_cli(
        "import", "--bucket", "import-kept", "-o", "acme.yaml", "--force", cwd=tmp_path, env=env
    )
    assert forced.returncode == 0, forced.stderr
    assert "import-kept" in spec.read_text(encoding="utf-8")
