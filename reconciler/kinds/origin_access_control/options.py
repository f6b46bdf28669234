"""The origin access control kind's command-line options."""

from reconciler.kinds.options import ImportOption

IMPORT = ImportOption(
    kind="origin_access_control",
    flag="--origin-access-control",
    metavar="ID",
    help="An origin access control's CloudFront id; repeatable.",
)
