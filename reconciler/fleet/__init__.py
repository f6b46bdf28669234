"""Fleets: the same spec over many accounts and regions.

A targets file names the accounts (listed, or selected from AWS Organizations) and regions
(`targets`); each run takes its shard of them (`shards`), runs the command on each target with
that target's own session under the rollout controls (`rollout`, `runner`), and writes one
result file (`results`); `merge` makes one fleet report of every shard's file. The fleet calls
the same entry points as a single run (the workflow, the executor, drift, import) per target;
it never reaches into the planner.
"""
