"""The official document (Nghị định 30/2020/NĐ-CP, appendix I) as plain data, and the writers
that lay it out: DOCX (python-docx) and PDF (Typst, template official.typ). No Django here."""
