"""Rendering of trace results: terminal text, JSON and one HTML page."""
