"""The change report: what a copy changed in its source, typed."""
