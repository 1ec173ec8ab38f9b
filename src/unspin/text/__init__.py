"""Text handling shared by every stage: normalisation for matching, sentences, language."""
