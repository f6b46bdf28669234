"""The bucket kind's command-line options."""

from reconciler.kinds.options import ImportOption

IMPORT = ImportOption(
    kind="bucket",
    flag="--bucket",
    metavar="NAME",
    help="A bucket; repeatable.",
    alone="--buckets-only",
    alone_help="With --all-unmanaged: buckets alone, no CloudFront request (S3-only roles, "
    "S3-compatible stores).",
)
