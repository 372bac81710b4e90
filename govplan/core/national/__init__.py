"""The national figures' arithmetic: aggregation over units and the mapping of old units'
values to their successors. Pure; the database hands it typed per-unit sums."""
