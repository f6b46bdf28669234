"""Bucket aspects, one unit each (`base.Aspect`), and the registry that lists them in write order.
docs/architecture.md shows how to add one."""
