"""Run the process stage on Ray: files are parsed (and read by OCR) as Ray tasks, chunks
are embedded by a pool of Ray actors, and batches stream back to this process, which
stays the only writer of Chroma, the keyword index and the records.

- The bytes of each file travel through Ray's object store, so the nodes of a cluster
  need no shared filesystem; a task writes them to its own temporary folder and parses
  them there with the same loaders, time limit and chunker as the local engine.
- A parse task whose worker dies is retried by Ray (``task_retries``); after that the
  file fails alone. An embedding actor that dies is restarted and its call retried.
- At most ``max_in_flight_files`` files are being parsed and ``max_in_flight_batches``
  batches embedded at once, and parsed chunks wait for an actor only up to two batches:
  a job of any size holds a bounded part of the corpus in this process and the object
  store.
- With a ``sentence_embedder`` (sentence vectors stored at ingest) the actors also split
  the chunks into sentences and embed them with the support model, so that this process
  only stores them: the work spreads over the cluster like the chunks' embedding.
- Stopping the iteration (Ctrl-C, a cancelled job) cancels what is in flight, and a
  runtime started for the run is shut down, leaving no process behind.

Ray is an optional extra (``pip install -e '.[ray]'``), imported only when this engine
runs. Unlike the local engine's parser processes, a Ray worker gets no address-space
cap (it maps the object store); a file that needs too much memory is stopped by Ray's
out-of-memory monitor and fails after its retries.
"""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import tempfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from ingest.chunking import embedding_text
from ingest.executors.base import Executor, Processed, ProcessedBatch, embed_texts
from ingest.parsing import ParseResult, ParseTask, parse_file
from ingest.planning import WorkItem
from retrieval.processes import pid_alive
from retrieval.search.sentence_vectors import embed_sentences
from retrieval.sentences import offsets, split_sentences

RAY_MISSING = "the ray engine needs Ray: pip install -e '.[ray]'"
CRASHED = (
    "the parser stopped on this file on every try (its worker died): the file is damaged "
    "or needs more memory than a worker has"
)


@dataclass(frozen=True)
class RayConfig:
    address: str | None = None  # None: start a local runtime for the run
    embed_actors: int = 1
    embed_gpus: float = 0.0  # GPU share of each embedding actor (0: CPU)
    batch_chunks: int = 256
    max_in_flight_files: int = 0  # 0: four per CPU of the cluster
    max_in_flight_batches: int = 0  # 0: two per actor
    task_retries: int = 2

    def __post_init__(self) -> None:
        if self.embed_actors < 1:
            raise ValueError(f"embed_actors must be >= 1, got {self.embed_actors}")
        if self.embed_gpus < 0:
            raise ValueError(f"embed_gpus must be >= 0, got {self.embed_gpus}")
        if self.batch_chunks < 1:
            raise ValueError(f"batch_chunks must be >= 1, got {self.batch_chunks}")


@dataclass
class Fixed:
    """An embedder factory that returns an embedder built here (tests, small fakes)."""

    embeddings: Embeddings

    def __call__(self) -> Embeddings:
        return self.embeddings


@dataclass
class Placement:
    """Where the work ran: Ray node ids of the parse tasks and the embedding actors."""

    parse: set[str] = field(default_factory=set)
    embed: set[str] = field(default_factory=set)


def _node() -> str:
    import ray

    return ray.get_runtime_context().get_node_id()


def parse_shipped(
    task: ParseTask, data: bytes, parse: Callable[[ParseTask], ParseResult] = parse_file
) -> tuple[ParseResult, str]:
    """Parse a file from its bytes on whatever node this runs (a Ray task)."""
    with tempfile.TemporaryDirectory(prefix="groundwork-ray-") as tmp:
        local = Path(tmp) / Path(task.path).name  # the same name: the same title
        local.write_bytes(data)
        result = parse(dataclasses.replace(task, path=str(local), confine=None))
    result.task = task
    return result, _node()


class EmbedActor:
    """Holds one embedding model, loaded once when the actor starts; with
    ``sentence_factory``, also the support model that embeds the chunks' sentences."""

    def __init__(
        self,
        factory: Callable[[], Embeddings],
        sentence_factory: Callable[[], Embeddings] | None = None,
    ) -> None:
        self.sentence_embeddings = sentence_factory() if sentence_factory else None
        self.embeddings = factory()
        warm = getattr(self.embeddings, "warm_up", None)
        if warm is not None:
            warm()

    def embed(
        self, texts: list[str], documents: dict[str, list[str]] | None = None
    ) -> tuple[Any, dict | None, dict | None, str]:
        """The vectors of ``texts``; with a support model, also the sentences of
        ``documents`` (document id -> chunk texts) with their vectors, and each chunk
        text's sentence offsets (split here once, so the writer need not)."""
        sentences = splits = None
        if self.sentence_embeddings is not None and documents is not None:
            model = self.sentence_embeddings
            sentences = embed_sentences(
                lambda batch: embed_texts(model, batch),
                {d: [Document(page_content=t) for t in ts] for d, ts in documents.items()},
            )
            splits = {t: offsets(split_sentences(t)) for ts in documents.values() for t in ts}
        return embed_texts(self.embeddings, texts), sentences, splits, _node()


RUNTIME_DIR = Path(tempfile.gettempdir()) / "groundwork-ray"  # local runtimes' sessions
_SESSION = re.compile(r"/session_[\d_-]+_(\d+)/")  # Ray names a session after its driver


def reap_orphans(root: Path = RUNTIME_DIR) -> list[int]:
    """End processes left by local runtimes whose driver was killed (Ray's agents outlive a
    driver that gets SIGKILL). Only processes of sessions under ``root``, which holds the
    runtimes Groundwork started, and only when that session's driver is gone. Linux."""
    prefix = str(root) + "/"
    proc = Path("/proc")
    reaped = []
    if not proc.is_dir() or not root.is_dir():
        return reaped
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            links = [os.readlink(fd) for fd in (entry / "fd").iterdir()]
        except OSError:
            continue
        driver = next(
            (
                m.group(1)
                for link in links
                if link.startswith(prefix) and (m := _SESSION.search(link))
            ),
            None,
        )
        if driver is not None and not pid_alive(int(driver)):
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                reaped.append(int(entry.name))
            except OSError:
                pass
    return reaped


class RayRuntime:
    """Connects to ``address``, or starts a local runtime and shuts it down afterwards
    (after ending what earlier local runtimes, whose driver was killed, left behind)."""

    def __init__(self, address: str | None) -> None:
        self.address = address
        self.started = False

    def __enter__(self) -> RayRuntime:
        try:
            import ray
        except ImportError as exc:
            raise RuntimeError(RAY_MISSING) from exc
        if ray.is_initialized():
            return self
        env = {"env_vars": {"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}}
        if self.address:
            ray.init(
                address=self.address,
                runtime_env=env,
                log_to_driver=False,
                configure_logging=False,
            )
        else:
            reap_orphans()
            RUNTIME_DIR.mkdir(parents=True, exist_ok=True)
            ray.init(
                include_dashboard=False,
                _temp_dir=str(RUNTIME_DIR),
                runtime_env=env,
                log_to_driver=False,
                configure_logging=False,
                _node_ip_address="127.0.0.1",
            )
        self.started = True
        return self

    def __exit__(self, *exc) -> None:
        if self.started:
            import ray

            ray.shutdown()


class RayExecutor(Executor):
    def __init__(
        self,
        config: RayConfig | None = None,
        embedder: Callable[[], Embeddings] | None = None,
        parse: Callable[[ParseTask], ParseResult] = parse_file,
        sentence_embedder: Callable[[], Embeddings] | None = None,
    ) -> None:
        self.config = config or RayConfig()
        self.embedder = embedder  # None: ship the embedder the pipeline passes
        self.parse = parse
        # the support model: the actors embed the chunks' sentences too (sentence vectors
        # stored at ingest), so the writer only stores them
        self.sentence_embedder = sentence_embedder
        self.placement = Placement()

    def process(self, work: Sequence[WorkItem], embeddings: Embeddings) -> Iterator[ProcessedBatch]:
        if not work:
            return
        with RayRuntime(self.config.address):
            yield from self._run(work, self.embedder or Fixed(embeddings))

    def _run(self, work: Sequence[WorkItem], factory) -> Iterator[ProcessedBatch]:
        import ray

        cfg = self.config
        cpus = max(int(ray.cluster_resources().get("CPU", 1)), 1)
        max_files = cfg.max_in_flight_files or 4 * cpus
        max_batches = cfg.max_in_flight_batches or 2 * cfg.embed_actors
        parse_remote = ray.remote(max_retries=cfg.task_retries)(parse_shipped)
        actor_cls = ray.remote(EmbedActor).options(
            num_cpus=1 if cfg.embed_gpus == 0 else 0,
            num_gpus=cfg.embed_gpus,
            max_restarts=cfg.task_retries,
            max_task_retries=cfg.task_retries,
        )
        actors = [
            actor_cls.remote(factory, self.sentence_embedder) for _ in range(cfg.embed_actors)
        ]
        queue = deque(work)
        parsing: dict[Any, WorkItem] = {}
        embedding: dict[Any, list[Processed]] = {}
        pending: list[Processed] = []
        pending_chunks = 0
        turn = 0
        try:
            while queue or parsing or embedding or pending:
                room = pending_chunks < 2 * cfg.batch_chunks
                while queue and len(parsing) < max_files and room:
                    item = queue.popleft()
                    try:
                        data = Path(item.task.path).read_bytes()
                    except OSError as exc:
                        error = f"the file cannot be read: {exc.strerror or exc}"
                        failed = Processed(item, ParseResult(item.task, error=error))
                        yield ProcessedBatch(failed=[failed])
                        continue
                    ref = parse_remote.remote(item.task, ray.put(data), self.parse)
                    parsing[ref] = item
                full = pending_chunks >= cfg.batch_chunks or (not queue and not parsing)
                if pending and full and len(embedding) < max_batches:
                    texts = [embedding_text(c) for p in pending for c in p.result.chunks]
                    documents = None
                    if self.sentence_embedder is not None:
                        documents = {
                            p.result.task.document_id: [c.page_content for c in p.result.chunks]
                            for p in pending
                        }
                    ref = actors[turn % len(actors)].embed.remote(texts, documents)
                    turn += 1
                    embedding[ref] = pending
                    pending, pending_chunks = [], 0
                    continue
                if not parsing and not embedding:
                    continue
                ready, _ = ray.wait([*parsing, *embedding], num_returns=1)
                ref = ready[0]
                if ref in parsing:
                    item = parsing.pop(ref)
                    result = self._parsed(ref, item)
                    done = Processed(item, result)
                    if result.error:
                        yield ProcessedBatch(failed=[done])
                    else:
                        pending.append(done)
                        pending_chunks += len(result.chunks)
                    continue
                batch = ProcessedBatch(done=embedding.pop(ref))
                batch.vectors, batch.sentences, batch.splits, node = ray.get(ref)
                self.placement.embed.add(node)
                yield batch
        finally:
            for ref in parsing:
                ray.cancel(ref, force=True)
            for actor in actors:  # their calls in flight end with them
                ray.kill(actor)

    def _parsed(self, ref, item: WorkItem) -> ParseResult:
        import ray
        from ray.exceptions import RayError

        try:
            result, node = ray.get(ref)
        except RayError:
            return ParseResult(item.task, error=CRASHED)
        self.placement.parse.add(node)
        return result
