"""Reordering retrieved chunks by a model that reads the question with each chunk.

``base.Reranker`` holds the shared scoring and blending, ``registry`` finds one by name.
"""
