"""The national half: completeness, aggregates, budgets, targets against results, dashboards
and the pivot, all read from the typed facts (govplan.facts)."""
