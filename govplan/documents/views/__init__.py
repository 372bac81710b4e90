"""Document pages: the list and creation, the editor, saving, history, XLSX, attachments."""
