"""Finding chunks: the Chroma chunk store, the tantivy keyword index, score fusion and
the hybrid retriever. Search never imports answering (``retrieval.answer``)."""
