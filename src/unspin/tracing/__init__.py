"""Tracing: candidates aligned sentence by sentence, and the copy / reuse decision."""
