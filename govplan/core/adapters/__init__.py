"""The core's input/output adapters: the only core modules that touch file formats' libraries
or other processes.

- ``docx.py`` + ``docx_parts.py``: the official document as DOCX (python-docx);
- ``pdf.py`` + ``official.typ`` + ``typst_compile.py``: the same as PDF, typeset by Typst in a
  process of its own;
- ``signing.py``: PAdES signing and verification (pyHanko);
- ``xlsx.py`` + ``report_xlsx.py``: XLSX templates and reports (XlsxWriter), and reading a
  filled template back;
- ``xlsx_reader.py`` + ``xlsx_child.py``: an uploaded XLSX looked at, then read by
  python-calamine in a process of its own under limits.

They depend on the domain (the rest of ``govplan.core``); the domain never imports them
(an import-linter contract holds this). Like the domain they import nothing of Django.
"""
