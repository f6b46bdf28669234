"""The bucket kind: a bucket and its aspects (one unit each, in ``aspects/``)."""
