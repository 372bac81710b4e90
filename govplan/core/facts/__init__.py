"""A document's entries as typed facts (extract.py): plain data, no Django."""
