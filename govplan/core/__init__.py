"""The pure core: domain logic with no Django imports, typed and fast to test."""
