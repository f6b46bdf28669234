"""Resource kinds: each a package of units behind one interface (`reconciler.kinds.base`),
listed once in `reconciler.kinds.registry`. docs/architecture.md shows how to add one."""
