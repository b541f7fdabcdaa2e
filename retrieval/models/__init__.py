"""The models Groundwork runs: embedders, the ONNX encoder under them, bundled-model lookup
(with checksum verification) and the llama.cpp loader shared by a provider and a reranker."""
