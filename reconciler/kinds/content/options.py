"""The content kind's command-line options."""

from reconciler.kinds.options import ImportOption

IMPORT = ImportOption(
    kind="content",
    flag="--content",
    metavar="NAME=BUCKET[/PREFIX]",
    help="A content entry named NAME, for the objects below PREFIX in BUCKET (with their "
    "headers); repeatable.",
)
