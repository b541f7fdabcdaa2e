"""Finding chunks: the Chroma chunk store, the SQLite FTS5 keyword index, score fusion and
the hybrid retriever. Search never imports answering (``retrieval.answer``)."""
