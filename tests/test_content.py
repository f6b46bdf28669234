"""Site content on the emulator, read back with boto3: a 300-file site (nested folders, text and
binary files, a precompressed ``.br`` sibling, a 40 MB file that goes up in parts) applied; the
re-plan clean; a round of edits planned as exactly the paths it touches; drift reported and
restored; ``max_deletes`` and ``protect`` refusing; SSE-KMS planning clean."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from reconciler.aws.s3 import S3Client
from reconciler.aws.transport import Transport
from reconciler.errors import StalePlanError
from reconciler.plan.model import Action, Plan
from reconciler.report import plan_markdown, plan_text
from reconciler.spec.loader import LoadedSpec
from tests.content_site import BUCKET, LARGE, make_site, requests_logged, site_spec
from tests.reconcile import Harness, spec_file


def objects(plan: Plan, name: str = "site") -> dict[str, str]:
    """The paths of a content's change, each with what is done to its object: ``upload``,
    ``metadata`` (a copy onto itself), ``adopt`` or ``delete``."""
    change = plan.change(f"content.{name}")
    assert change is not None
    prefix = f'content.{name}["'
    found = {}
    for aspect in change.aspects:
        if not aspect.aspect.startswith(prefix):
            continue
        path = aspect.aspect[len(prefix) : -2]
        if aspect.action is Action.UPDATE:
            before, after = aspect.before or {}, aspect.after or {}
            same = all(before.get(k) == after.get(k) for k in ("sha256", "size"))
            found[path] = "metadata" if same else "upload"
        else:
            found[path] = {"create": "upload"}.get(aspect.action.value, aspect.action.value)
    return found


def invalidated(plan: Plan, name: str = "site") -> list[str]:
    change = plan.change(f"content.{name}")
    assert change is not None
    found = next(a for a in change.aspects if a.aspect == "invalidation")
    paths: list[str] = found.after["paths"]
    return paths


def load(tmp_path: Path, **options: Any) -> LoadedSpec:
    return spec_file(tmp_path, site_spec(**options))


@pytest.fixture
def site(tmp_path: Path) -> dict[str, bytes]:
    return make_site(tmp_path / "public")


def test_a_site_applied_reads_back_and_plans_clean(  # noqa: PLR0917 - fixtures
    tmp_path: Path,
    site: dict[str, bytes],
    s3: S3Client,
    transport: Transport,
    boto_s3: Any,
    boto_cloudfront: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    harness = Harness(s3, transport)
    loaded = load(tmp_path)
    first = harness.plan(loaded)
    assert len(objects(first)) == 300
    assert set(objects(first).values()) == {"upload"}
    assert invalidated(first) == ["/*"]  # every path changed: one wildcard is exact
    harness.execute(first)

    # boto3 reads back the bytes and the headers declared
    for path, body in site.items():
        got = boto_s3.get_object(Bucket=BUCKET, Key=path)
        assert got["Body"].read() == body, path
    page = boto_s3.head_object(Bucket=BUCKET, Key="docs/index.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert page["CacheControl"] == "public, max-age=300"
    assert page["Metadata"] == {"section": "docs"}
    script = boto_s3.head_object(Bucket=BUCKET, Key="assets/app.js")
    assert script["ContentType"] == "text/javascript; charset=utf-8"
    assert script["CacheControl"] == "public, max-age=31536000, immutable"
    brotli = boto_s3.head_object(Bucket=BUCKET, Key="assets/app.js.br")
    assert (brotli["ContentType"], brotli["ContentEncoding"]) == (
        "text/javascript; charset=utf-8",
        "br",
    )
    image = boto_s3.head_object(Bucket=BUCKET, Key="assets/img/i2.png")
    assert image["ContentType"] == "image/png"
    large = boto_s3.head_object(Bucket=BUCKET, Key=LARGE)
    assert large["ETag"].endswith('-5"')  # 40 MB in 8 MiB parts
    assert boto_s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads") is None
    (dist,) = boto_cloudfront.list_distributions()["DistributionList"]["Items"]
    made = boto_cloudfront.list_invalidations(DistributionId=dist["Id"])["InvalidationList"]
    assert made["Quantity"] == 1

    # planned again: no changes, and the content costs one listing and one manifest read
    with requests_logged(caplog) as sent:
        again = harness.plan(loaded)
    assert again.changes == ()
    bucket_reads = {f"HEAD /{BUCKET}", f"GET /{BUCKET}?tagging=", f"GET /{BUCKET}?website="}
    content_requests = [r for r in sent if f"/{BUCKET}" in r and r not in bucket_reads]
    assert sorted(content_requests) == [
        f"GET /{BUCKET}/.reconciler/content/site.json",
        f"GET /{BUCKET}?list-type=2",
    ]


def test_edits_plan_exactly_the_paths_they_touch(
    tmp_path: Path, site: dict[str, bytes], s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    harness = Harness(s3, transport)
    harness.apply(load(tmp_path))
    public = tmp_path / "public"
    (public / "index.html").write_bytes(b"<!doctype html><h1>home, again</h1>")
    (public / "assets/css/s1.css").write_bytes(b".c1{color:blue}")
    (public / "blog/2023/post3.html").rename(public / "blog/2023/renamed.html")
    (public / "assets/img/i2.png").unlink()
    rules = [
        '{match: "assets/**", cache_control: "public, max-age=31536000, immutable"}',
        '{match: "docs/guide/**", cache_control: "public, max-age=600", metadata: {section: docs}}',
        '{match: "docs/**", cache_control: "public, max-age=300", metadata: {section: docs}}',
        '{match: "**/*.html", cache_control: "public, max-age=60"}',
    ]
    loaded = load(tmp_path, rules=rules)
    plan = harness.plan(loaded)
    guide = sorted(p for p in site if p.startswith("docs/guide/"))
    assert objects(plan) == {
        "index.html": "upload",
        "assets/css/s1.css": "upload",
        "blog/2023/renamed.html": "upload",
        **dict.fromkeys(guide, "metadata"),
        "blog/2023/post3.html": "delete",
        "assets/img/i2.png": "delete",
    }
    change = plan.change("content.site")
    assert change is not None
    one = next(a for a in change.aspects if a.aspect == f'content.site["{guide[0]}"]')
    assert [(d.path, d.before, d.after) for d in one.diff] == [
        ("cache_control", "public, max-age=300", "public, max-age=600")
    ]
    # the order apply writes in: assets, then pages, then deletes
    kinds = [objects(plan)[p] for p in objects(plan)]
    assert kinds.index("delete") > max(i for i, k in enumerate(kinds) if k != "delete")
    names = [a.aspect for a in change.aspects]
    assert names.index('content.site["assets/css/s1.css"]') < names.index(
        'content.site["index.html"]'
    )
    assert invalidated(plan) == sorted(
        [
            "/",
            "/index.html",
            "/assets/css/s1.css",
            "/assets/img/i2.png",
            "/blog/2023/post3.html",
            "/blog/2023/renamed.html",
            "/docs/guide/*",  # every object below it is re-headered: one path, and exact
        ]
    )
    text = plan_text.render(plan.to_json())
    markdown = plan_markdown.render(plan.to_json())
    for path in objects(plan):
        assert f'content.site["{path}"]' in text
        assert path in markdown
    assert "/docs/guide/*" in text
    assert "$0.035" in text  # 7 paths at $0.005 beyond the free 1,000

    harness.execute(plan)
    assert harness.plan(loaded).changes == ()
    got = boto_s3.get_object(Bucket=BUCKET, Key="index.html")
    assert got["Body"].read() == b"<!doctype html><h1>home, again</h1>"
    assert got["CacheControl"] == "public, max-age=60"
    guide_page = boto_s3.head_object(Bucket=BUCKET, Key=guide[0])
    assert (guide_page["CacheControl"], guide_page["Metadata"]) == (
        "public, max-age=600",
        {"section": "docs"},
    )
    keys = {o["Key"] for o in boto_s3.list_objects_v2(Bucket=BUCKET, MaxKeys=1000)["Contents"]}
    assert "blog/2023/post3.html" not in keys
    assert "assets/img/i2.png" not in keys


def test_a_change_behind_the_specs_back_is_drift_and_apply_restores_it(
    tmp_path: Path, site: dict[str, bytes], s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    harness = Harness(s3, transport)
    loaded = load(tmp_path)
    harness.apply(loaded)
    boto_s3.put_object(
        Bucket=BUCKET, Key="docs/index.html", Body=b"defaced", ContentType="text/plain"
    )
    report = harness.drift(loaded).to_json()
    (content,) = [r for r in report["resources"] if r["address"] == "content.site"]
    assert content["status"] == "drifted"
    paths = {d["path"]: (d["expected"], d["actual"]) for d in content["differences"]}
    assert paths['content.site["docs/index.html"].size'] == (len(site["docs/index.html"]), 7)
    assert paths['content.site["docs/index.html"].content_type'] == (
        "text/html; charset=utf-8",
        "text/plain",
    )
    harness.apply(loaded)
    got = boto_s3.get_object(Bucket=BUCKET, Key="docs/index.html")
    assert got["Body"].read() == site["docs/index.html"]
    assert harness.plan(loaded).changes == ()


def test_max_deletes_and_protect_refuse(
    tmp_path: Path, site: dict[str, bytes], s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    harness = Harness(s3, transport)
    harness.apply(load(tmp_path))
    public = tmp_path / "public"
    for path in ("blog/2023/post3.html", "blog/2023/post7.html", "downloads/big.bin"):
        (public / path).unlink()
    plan = harness.plan(load(tmp_path, extra=["max_deletes: 2"]))
    summaries = [d.summary for d in plan.errors]
    assert summaries == [
        "the plan would delete 3 objects, more than max_deletes (2): nothing is applied"
    ]
    assert plan.errors[0].position is not None  # points at max_deletes in the spec
    plan = harness.plan(load(tmp_path, extra=['protect: ["downloads/**"]']))
    assert [d.summary for d in plan.errors] == [
        "downloads/big.bin: protected (protect), and would be deleted"
    ]
    (public / "index.html").write_bytes(b"new")
    plan = harness.plan(load(tmp_path, extra=['protect: ["downloads/**", "index.html"]']))
    assert "index.html: protected (protect), and would be overwritten" in [
        d.summary for d in plan.errors
    ]
    assert boto_s3.head_object(Bucket=BUCKET, Key="downloads/big.bin")["ContentLength"] > 0


def test_under_sse_kms_the_replan_is_clean(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    """Under SSE-KMS, AWS's ETags are not the MD5 of the bytes, so a tool comparing them with
    the file's MD5 uploads everything every time. The emulator answers MD5 ETags even under
    SSE-KMS, so this shows the apply and the clean re-plan on a KMS bucket; the AWS behaviour
    (ETags that are no MD5) is covered on recorded answers in test_content_recorded."""
    make_site(tmp_path / "public", files=40, large=False)
    harness = Harness(s3, transport)
    loaded = load(tmp_path, bucket=["encryption: {algorithm: aws:kms, kms_key_id: alias/aws/s3}"])
    harness.apply(loaded)
    head = boto_s3.head_object(Bucket=BUCKET, Key="index.html")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert harness.plan(loaded).changes == ()


def test_a_saved_plan_is_made_again_the_same(
    tmp_path: Path, s3: S3Client, transport: Transport
) -> None:
    make_site(tmp_path / "public", files=30, large=False)
    harness = Harness(s3, transport)
    loaded = load(tmp_path)
    saved = harness.plan(loaded)
    fresh = harness.replan(saved, loaded)  # raises when the plans differ
    assert fresh.to_json()["changes"] == saved.to_json()["changes"]
    (tmp_path / "public" / "index.html").write_bytes(b"changed after the plan")
    with pytest.raises(StalePlanError, match=r"content\.site \(sources\)"):
        harness.replan(saved, loaded)


def test_a_file_that_changed_since_the_plan_is_not_uploaded(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    make_site(tmp_path / "public", files=20, large=False)
    harness = Harness(s3, transport)
    loaded = load(tmp_path)
    plan = harness.plan(loaded)
    (tmp_path / "public" / "index.html").write_bytes(b"edited between plan and apply")
    report = harness.execute(plan)
    failed = [r for r in report.results if r.status == "failed"]
    assert [(r.address, r.step) for r in failed] == [("content.site", "pages")]
    assert "changed since the plan was made" in (failed[0].reason or "")
    assert os.path.exists(tmp_path / "public" / "index.html")
    with pytest.raises(boto_s3.exceptions.NoSuchKey):
        boto_s3.get_object(Bucket=BUCKET, Key="index.html")
    assert harness.plan(loaded).change("content.site") is not None  # re-running converges


def test_a_manifest_that_is_not_ours_is_the_contents_error(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    make_site(tmp_path / "public", files=10, large=False)
    harness = Harness(s3, transport)
    loaded = load(tmp_path)
    harness.apply(loaded)
    boto_s3.put_object(Bucket=BUCKET, Key=".reconciler/content/site.json", Body=b'{"format": 1}')
    plan = harness.plan(loaded)
    assert [(d.address, d.summary) for d in plan.errors] == [
        (
            "content.site",
            f"manifest s3://{BUCKET}/.reconciler/content/site.json is not one this reconciler "
            "wrote: stack: Field required",
        )
    ]


def test_import_writes_the_entry_and_its_headers(
    tmp_path: Path, s3: S3Client, transport: Transport
) -> None:
    make_site(tmp_path / "public", files=40, large=False)
    harness = Harness(s3, transport)
    harness.apply(load(tmp_path))
    from reconciler import importer
    from reconciler.live.reader import LiveReader

    request = importer.ImportRequest("site-stack", names={"content": (f"site={BUCKET}/",)})
    reader = LiveReader(s3, parallelism=8)
    written = importer.render(importer.read(reader, request), request)
    assert written.declared == ["content.site"]
    (tmp_path / "imported").mkdir()
    (tmp_path / "imported" / "spec.yaml").write_text(
        written.text.replace("content:\n", f"buckets:\n  {BUCKET}: {{}}\ncontent:\n", 1)
    )
    imported = spec_file(tmp_path / "imported", (tmp_path / "imported" / "spec.yaml").read_text())
    content = imported.spec.content["site"]
    rules = {r.match: r for r in content.headers}
    assert rules["**/*.css"].cache_control == "public, max-age=31536000, immutable"
    assert rules["**/*.png"].cache_control == "public, max-age=31536000, immutable"
    assert rules["docs/guide/page0.html"].metadata == {"section": "docs"}
    assert any("put the site's files in ./site" in n for n in written.notes)


def test_permissions_name_the_content_s_objects(tmp_path: Path) -> None:
    from reconciler.permissions import policy

    loaded = load(tmp_path)
    statements = {s["Sid"]: s for s in policy(loaded.spec, "apply")["Statement"]}
    objects = statements["ContentObjects"]
    assert f"arn:aws:s3:::{BUCKET}/*" in objects["Resource"]
    assert f"arn:aws:s3:::{BUCKET}/.reconciler/content/site.json" in objects["Resource"]
    assert {"s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"} <= set(
        objects["Action"]
    )
    assert statements["ContentInvalidations"]["Action"] == sorted(
        [
            "cloudfront:CreateInvalidation",
            "cloudfront:ListDistributions",
            "cloudfront:ListTagsForResource",
        ]
    )
    reads = {s["Sid"]: s for s in policy(loaded.spec, "plan")["Statement"]}
    assert "s3:PutObject" not in reads["ContentObjects"]["Action"]


def test_a_content_no_longer_declared_is_pruned_and_absent_deletes_only_its_own(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    make_site(tmp_path / "public", files=12, large=False)
    harness = Harness(s3, transport)
    harness.apply(load(tmp_path))
    boto_s3.put_object(Bucket=BUCKET, Key="not-ours.txt", Body=b"someone else's")
    spec = site_spec().split("content:\n")[0] + "content: {}\n"
    pruned = spec_file(tmp_path, spec)
    plan = harness.plan(pruned)
    change = plan.change("content.site")
    assert change is not None
    assert change.action is Action.DELETE
    assert change.reason == "owned by this stack, no longer declared"
    assert len([a for a in change.aspects if a.action is Action.DELETE]) == 13  # 12 + manifest
    harness.execute(plan)
    keys = [o["Key"] for o in boto_s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert keys == ["not-ours.txt"]  # only what the content put there was deleted
    assert harness.plan(pruned).changes == ()


def test_a_forged_plan_uploads_no_file_outside_the_source(
    tmp_path: Path, s3: S3Client, transport: Transport, boto_s3: Any
) -> None:
    import dataclasses

    from reconciler.plan.model import AspectChange

    make_site(tmp_path / "public", files=5, large=False)
    (tmp_path / "secret.txt").write_bytes(b"not for the bucket")
    harness = Harness(s3, transport)
    loaded = load(tmp_path)
    plan = harness.plan(loaded)
    change = plan.change("content.site")
    assert change is not None
    forged_aspect = AspectChange(
        'content.site["../secret.txt"]',
        Action.CREATE,
        None,
        {"sha256": "0" * 64, "size": 18, "content_type": "text/plain; charset=utf-8"},
    )
    forged = dataclasses.replace(change, aspects=(forged_aspect,))
    plan = dataclasses.replace(
        plan, changes=(*(c for c in plan.changes if c is not change), forged)
    )
    harness.guards[id(plan)] = harness.guards[next(iter(harness.guards))]
    report = harness.execute(plan)
    (failed,) = [r for r in report.results if r.status == "failed"]
    assert failed.address == "content.site"
    assert "refused: ../secret.txt is not a file of the source" in (failed.reason or "")
    listed = boto_s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    assert all("secret" not in o["Key"] for o in listed)
