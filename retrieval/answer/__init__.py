"""Answering from retrieved chunks: the answer service, providers, sentence support, the
citation check, the prompt, injection screening and follow-up condensing."""
