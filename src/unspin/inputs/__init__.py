"""User inputs to documents: files, directories, collections, HTML, JSON, encodings."""
