"""Crawl sweeps (`unspin scan`): WARC reading, screening, local and Spark engines, the network."""
