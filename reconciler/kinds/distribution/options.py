"""The distribution kind's command-line options."""

from reconciler.kinds.options import ImportOption

IMPORT = ImportOption(
    kind="distribution",
    flag="--distribution",
    metavar="ID",
    help="A distribution's CloudFront id; repeatable.",
)
