"""The national pages, one module per page family."""
