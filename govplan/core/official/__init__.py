"""The official document (Nghị định 30/2020/NĐ-CP, appendix I) as plain data, and the writers
that lay it out: DOCX (python-docx) and HTML for the PDF (WeasyPrint). No Django here."""
