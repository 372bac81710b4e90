"""Typed facts: every indicator cell, budget amount, target and result of every document as a
row of its own, kept exact by the transaction that writes the entry or freezes the revision,
so that national figures are aggregated by the database (see docs/national-figures.md)."""
