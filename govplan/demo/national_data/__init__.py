"""The national-scale data set (issue 14, item 7): the whole structure before and after the
2025 reorganisation, 15 annual report cycles (2011-2025), four five-year plans with projects
and targets, about 150 indicators and about 20 million values at full scale, deterministic
from a seed. ``generate.generate`` is the entry point (``manage.py generate_national``); the
demo loads a tiny slice, the national benchmark (bench/national.py) the full set.

Modules: ``scales`` (what each scale covers), ``catalogue`` (the synthetic indicators that
extend the national catalogue), ``frameworks`` (the generated framework files, published
through the frameworks app), ``content`` (pure: the entries of one document, deterministic),
``bulk`` (the bulk writer: COPY on PostgreSQL, INSERT elsewhere), ``generate``.
"""
