"""Sentence embeddings: MiniLM (numpy for short jobs, torch for long ones)."""
