"""The pure core: no Django imports, typed (mypy --strict) and fast to test.

Everything here is the domain (dates, inputs, frameworks and their rules, documents' cells,
values and totals, the workflow's state machine, the official document as plain data),
except ``govplan.core.adapters``: the input/output adapters (python-docx, Typst, pyHanko,
XlsxWriter, python-calamine), which use the domain and which the domain never imports. The
import contracts (pyproject.toml, ``[tool.importlinter]``) hold both rules.
"""
