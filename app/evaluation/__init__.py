"""Reproducible quality measurements: BEIR retrieval and SQuAD question answering."""
