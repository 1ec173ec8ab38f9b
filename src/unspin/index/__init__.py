"""The reference collection on disk and candidate retrieval from it."""
