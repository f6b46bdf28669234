"""``reconciler demo``: the client at work against the embedded emulator.

It creates a bucket, sets its configuration through the reconciler's own S3 client, reads every
aspect back as typed values, shows a typed error, and cleans up. Nothing leaves this machine.
"""

from __future__ import annotations

from collections.abc import Callable

from reconciler.aws.s3 import S3Client
from reconciler.aws.s3_types import (
    EncryptionRule,
    Expiration,
    LifecycleFilter,
    LifecycleRule,
    PublicAccessBlock,
    Versioning,
)
from reconciler.aws.signing import Credentials
from reconciler.aws.transport import Transport
from reconciler.emulator import embedded_emulator
from reconciler.errors import BucketNotEmpty

# The emulator accepts any key pair; these are not credentials for anything.
DEMO_CREDENTIALS = Credentials("AKIDDEMO", "demo-secret", source="demo")
BUCKET = "reconciler-demo-site"


def run_demo(echo: Callable[[str], None]) -> None:
    with embedded_emulator() as endpoint, Transport(credentials=DEMO_CREDENTIALS) as transport:
        echo(f"Embedded S3 emulator listening on {endpoint}\n")
        s3 = S3Client(transport, region="eu-west-1", endpoint_url=endpoint)

        echo(f"+ create bucket {BUCKET} in eu-west-1")
        s3.create_bucket(BUCKET, region="eu-west-1")
        head = s3.head_bucket(BUCKET)
        echo(f"  exists, region {head.region if head else '?'}")

        echo("~ set tags, versioning, lifecycle, encryption and public access block")
        s3.put_bucket_tagging(BUCKET, {"team": "web", "reconciler:stack": "demo"})
        s3.put_bucket_versioning(BUCKET, Versioning("Enabled"))
        s3.put_bucket_lifecycle(
            BUCKET,
            (
                LifecycleRule(
                    id="expire-logs",
                    filter=LifecycleFilter(prefix="logs/"),
                    expiration=Expiration(days=90),
                ),
            ),
        )
        s3.put_bucket_encryption(BUCKET, (EncryptionRule("AES256"),))
        s3.put_public_access_block(BUCKET, PublicAccessBlock(True, True, True, True))

        echo("\nRead back as typed values:")
        echo(f"  tags:        {s3.get_bucket_tagging(BUCKET)}")
        echo(f"  versioning:  {s3.get_bucket_versioning(BUCKET).status}")
        for rule in s3.get_bucket_lifecycle(BUCKET) or ():
            days = rule.expiration.days if rule.expiration else None
            echo(f"  lifecycle:   rule {rule.id!r}, prefix {rule.filter.prefix!r}, expire {days} d")
        echo(f"  encryption:  {[r.algorithm for r in s3.get_bucket_encryption(BUCKET) or ()]}")
        blocked = s3.get_public_access_block(BUCKET) == PublicAccessBlock(True, True, True, True)
        echo(f"  public access block: all four settings on: {blocked}")
        echo(f"  website:     {s3.get_bucket_website(BUCKET)}  (not configured: None)")

        echo("\nA bucket that holds objects is not deleted; the error comes back typed:")
        s3.put_object(BUCKET, "index.html", b"<h1>hello</h1>", content_type="text/html")
        try:
            s3.delete_bucket(BUCKET)
        except BucketNotEmpty as exc:
            echo(f"  {type(exc).__name__} raised: {exc}")

        echo("\n- empty and delete the bucket")
        result = s3.delete_objects(
            BUCKET, [(v.key, v.version_id) for v in s3.list_object_versions(BUCKET)]
        )
        s3.delete_bucket(BUCKET)
        echo(f"  deleted {result.deleted} object version(s), then the bucket")
        echo(f"\n{transport.requests_sent} API requests, all signed with SigV4.")
