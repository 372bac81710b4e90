"""Frameworks as data: the format of a framework file, its catalogues, and their checks.

Pure Python (no Django): ``parse_framework`` turns a loaded YAML/JSON document into a
checked :class:`~govplan.core.frameworks.model.Framework`, or raises
:class:`~govplan.core.frameworks.problems.SpecError` listing every problem with its path
in the file. The format is documented in docs/frameworks.md.
"""
