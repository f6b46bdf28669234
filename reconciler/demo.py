"""``reconciler demo``: the whole story on an embedded S3 + CloudFront emulator on loopback.

A small website spec (two buckets, a distribution in front of them, and the site's files kept in
the site bucket) is planned, applied, planned again (no changes), changed behind its back
through the reconciler's own client, checked for drift (the report shows exactly those
changes), planned and applied to converge; then a new version of the site is planned (exactly
the paths that changed, and their invalidation) and applied. Nothing leaves this machine and
nothing is written outside a temporary directory.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from reconciler.apply.executor import Executor
from reconciler.aws.cloudfront import CloudFrontClient
from reconciler.aws.s3 import S3Client
from reconciler.aws.signing import Credentials
from reconciler.aws.transport import Transport
from reconciler.drift import drift_report
from reconciler.emulator import embedded_emulator
from reconciler.kinds.bucket.aspects import registry as aspects
from reconciler.kinds.bucket.read import read_aspect
from reconciler.kinds.bucket.writes import write_aspect
from reconciler.kinds.distribution.render import write_config
from reconciler.live.reader import LiveReader
from reconciler.plan.model import Plan
from reconciler.report import apply_text, drift_text, plan_text
from reconciler.report.plan_text import Style, plain
from reconciler.spec.loader import load_spec
from reconciler.workflow import guard_for, make_plan

# The emulator accepts any key pair; these are not credentials for anything.
DEMO_CREDENTIALS = Credentials("AKIDDEMO", "demo-secret", source="demo")
REGION = "eu-west-1"

DEMO_SPEC = """\
version: 1
stack: demo-web
defaults:
  bucket:
    region: eu-west-1
    tags: {team: web}
buckets:
  demo-web-logs:
    object_ownership: BucketOwnerPreferred
    acl: log-delivery-write
    lifecycle:
      - id: expire-logs
        filter: {prefix: ""}
        expiration: {days: 90}
  demo-web-site:
    versioning: enabled
    tags: {env: prod}
    public_access_block: {block_public_acls: true, ignore_public_acls: true,
                          block_public_policy: false, restrict_public_buckets: false}
    policy:
      Version: "2012-10-17"
      Statement:
        - {Sid: PublicRead, Effect: Allow, Principal: "*", Action: "s3:GetObject",
           Resource: "arn:aws:s3:::demo-web-site/*"}
    encryption: {algorithm: AES256}
    cors: [{allowed_methods: [GET], allowed_origins: ["*"], max_age_seconds: 3000}]
    website: {index_document: index.html, error_document: 404.html}
    logging: {target_bucket: demo-web-logs, target_prefix: site/}
distributions:
  demo-cdn:
    comment: demo site
    default_root_object: index.html
    origins:
      - {id: site, bucket: demo-web-site}
    default_cache_behavior:
      target_origin: site
      viewer_protocol_policy: redirect-to-https
      cache_policy_id: 658327ea-f89d-4fab-a63d-7e88639e58f6
    logging: {bucket: demo-web-logs, prefix: cdn/}
content:
  site:
    bucket: demo-web-site
    source: ./public
    headers:
      - {match: "assets/**", cache_control: "public, max-age=31536000, immutable"}
      - {match: "**/*.html", cache_control: "public, max-age=60"}
    delete: true
    invalidate: demo-cdn
"""

#: The site the spec's content keeps in the bucket (written to a temporary ``public/``).
DEMO_SITE = {
    "index.html": "<!doctype html><link rel=stylesheet href=/assets/site.css><h1>Demo</h1>\n",
    "404.html": "<!doctype html><h1>Not found</h1>\n",
    "about/index.html": "<!doctype html><h1>About</h1>\n",
    "assets/site.css": "h1 { color: #b4442b; }\n",
    "assets/app.js": "console.log('demo');\n",
}


def _write_site(root: Path) -> None:
    for path, text in DEMO_SITE.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")


def _by_hand(s3: S3Client, cloudfront: CloudFrontClient, echo: Callable[[str], None]) -> None:
    """What someone changes by hand behind the spec's back."""
    by_hand = partial(write_aspect, s3, "demo-web-site", owner=lambda: "")
    by_hand("versioning", "suspended")
    tags = read_aspect(s3, "demo-web-site", aspects.TAGS).value
    by_hand(aspects.TAGS.key, {**tags, "env": "staging"})
    cdn = next(iter(cloudfront.list_distributions())).id
    config, etag = cloudfront.get_distribution_config(cdn)
    cloudfront.update_distribution(
        cdn, write_config({"comment": "edited by hand"}, config), if_match=etag
    )
    s3.put_object("demo-web-site", "about/index.html", b"edited by hand", content_type="text/plain")
    echo(
        "  versioning: Suspended; tag env=staging; distribution comment edited; "
        "about/index.html overwritten"
    )


def _new_version(public: Path) -> None:
    """The site's next version: a page and a stylesheet edited, a page removed."""
    (public / "index.html").write_text(
        "<!doctype html><link rel=stylesheet href=/assets/site.css><h1>Demo, v2</h1>\n",
        encoding="utf-8",
    )
    (public / "assets" / "site.css").write_text("h1 { color: #1b6ac9; }\n", encoding="utf-8")
    (public / "404.html").unlink()


def run_demo(echo: Callable[[str], None], *, style: Style = plain) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="reconciler-demo-") as workdir,
        embedded_emulator() as endpoint,
        Transport(credentials=DEMO_CREDENTIALS) as transport,
    ):
        spec_path = Path(workdir) / "reconciler.yaml"
        spec_path.write_text(DEMO_SPEC, encoding="utf-8")
        public = Path(workdir) / "public"
        _write_site(public)
        loaded = load_spec([str(spec_path)], cli_vars={}, env={})
        s3 = S3Client(transport, region=REGION, endpoint_url=endpoint)
        cloudfront = CloudFrontClient(transport, endpoint_url=endpoint)
        reader = LiveReader(s3, cloudfront=cloudfront)

        def step(title: str) -> None:
            echo("\n" + style(f"== {title}", "cyan"))

        def plan() -> Plan:
            started, sent = time.monotonic(), transport.requests_sent
            result, _ = make_plan(loaded, reader, default_region=REGION)
            echo(plan_text.render(result.to_json(), style=style).rstrip())
            echo(
                f"({transport.requests_sent - sent} read requests, "
                f"{time.monotonic() - started:.2f} s)"
            )
            return result

        def apply(result: Plan) -> None:
            writes = transport.writes_sent
            guard = guard_for(loaded, default_region=REGION)
            report = Executor(s3, guard=guard, cloudfront=cloudfront).apply(result)
            echo(apply_text.render([r.to_json() for r in report.results], style=style).rstrip())
            echo(f"({transport.writes_sent - writes} write requests)")

        echo(
            f"An S3 + CloudFront emulator is running on {endpoint}; this spec describes two "
            "buckets, a distribution, and the site's five files kept in the site bucket:\n"
        )
        echo(DEMO_SPEC.rstrip())

        step("1. reconciler apply: nothing exists yet, so the plan creates everything")
        apply(plan())

        step("2. reconciler plan again: the live state matches the spec")
        plan()

        step("3. Someone changes things by hand (versioning off, a tag, the CDN's comment, a page)")
        _by_hand(s3, cloudfront, echo)

        step("4. reconciler drift: the scheduled check's report (exit code 2: drift)")
        found, live = make_plan(loaded, reader, default_region=REGION)
        report = drift_report(loaded.spec, found, live)
        echo(drift_text.render(report.to_json(), style=style).rstrip())
        echo("  (also --format json, markdown, html or junit, with --output FILE)")

        step("5. reconciler plan: how apply will put exactly that right")
        drift = plan()

        step("6. reconciler apply: back to the spec")
        apply(drift)

        step("7. reconciler plan: converged")
        plan()

        step("8. A new version of the site: a page and a stylesheet edited, a page removed")
        _new_version(public)
        echo("  the plan lists exactly those paths, and invalidates exactly those (and /):")
        apply(plan())

        step("9. reconciler plan: converged again")
        plan()
        echo(f"\n{transport.requests_sent} API requests in all, every one signed with SigV4.")
