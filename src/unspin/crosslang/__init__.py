"""Cross-language tracing: the English source of a copy published in another language."""
