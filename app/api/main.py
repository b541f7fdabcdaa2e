"""``create_app(settings)``: the FastAPI application, its resources made in the lifespan."""

from __future__ import annotations

import logging
import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api.auth import KeyRing
from app.api.errors import install_error_handlers
from app.api.job_runner import JobRunner
from app.api.job_store import JobStore
from app.api.routes import ask, collections, documents, health, jobs, openai_compat
from app.api.write_locks import CollectionLocks
from app.container import Container
from app.settings import Settings
from retrieval.search.snapshots import remove_snapshots

log = logging.getLogger("groundwork.api")


def create_app(settings: Settings | None = None, *, container: Container | None = None) -> FastAPI:
    """Build the API. Tests pass their own ``settings`` (and may pass a ``container``)."""
    settings = settings or (container.settings if container else Settings())
    keys = KeyRing.load(settings.api_keys_file)  # a bad keys file stops start-up here

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        c = container or Container(settings)
        if c.read_only:
            log.warning("the data folder %s is read-only: answering only", settings.data_dir)
        else:
            c.writer_lock.acquire()  # a second writer on the same embedded store fails here
        app.state.container = c
        app.state.keys = keys
        app.state.locks = CollectionLocks()
        app.state.jobs = JobStore(settings.data_dir / "jobs.sqlite3")
        app.state.runner = JobRunner(
            app.state.jobs,
            lambda job: c.ingestor_for(job.engine, job.ray_address),
            settings.ingest_root,
            app.state.locks,
        )
        app.state.warm = threading.Event()
        app.state.warm_error = None
        if not c.read_only:
            app.state.runner.start()
        threading.Thread(target=_warm_up, args=(app, c), daemon=True).start()
        try:
            yield
        finally:
            app.state.runner.stop()
            c.writer_lock.release()
            if c.read_only:
                remove_snapshots()

    max_files = settings.max_upload_files
    # with keys configured the schema and docs need a key too (added below)
    open_docs = (
        {} if not keys.enabled else {"openapi_url": None, "docs_url": None, "redoc_url": None}
    )
    app = FastAPI(
        title="Groundwork",
        summary="Answers from your documents, with citations you can check.",
        version="0.1.0",
        lifespan=lifespan,
        **open_docs,
        max_body_size=int(settings.max_upload_mb * 1_000_000 * max_files) + 1_000_000,
        form_limits={"max_files": max_files, "max_fields": 50},
    )
    install_error_handlers(app)
    for module in (health, ask, collections, documents, jobs, openai_compat):
        app.include_router(module.router)
    if keys.enabled:
        _add_keyed_docs(app)
    return app


def _add_keyed_docs(app: FastAPI) -> None:
    from fastapi import Depends
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.openapi.utils import get_openapi

    from app.api.deps import get_principal

    @app.get("/openapi.json", include_in_schema=False, dependencies=[Depends(get_principal)])
    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = get_openapi(
                title=app.title, version=app.version, summary=app.summary, routes=app.routes
            )
        return app.openapi_schema

    @app.get("/docs", include_in_schema=False, dependencies=[Depends(get_principal)])
    def docs():
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Groundwork API")


_PREFILL_COLLECTIONS = 8  # collections whose sentences may be embedded at start-up ...
_PREFILL_CHUNKS = 200  # ... when they hold at most this many chunks


def _first_answer(container: Container) -> None:
    """Answer one question before the first user does, so the first answer is as fast as
    the tenth: what loads on first use (the sentence splitter, the collection, the keyword
    index, the models' first real batch shapes) loads now. A small collection's sentences
    are embedded into the support model's cache as well, where later answers would have
    put them (a few hundred sentences, well under a second)."""
    collections = container.records.collections()
    if not collections:
        return
    try:
        container.answers.ask("What does this collection say?", collections[0])
        scorer = container.scorer
        for name in collections[:_PREFILL_COLLECTIONS]:
            chunks = container.chunk_store.first_chunks(name, _PREFILL_CHUNKS + 1)
            if len(chunks) <= _PREFILL_CHUNKS:
                scorer.prefill(chunks)
    except Exception as exc:  # a warm-up must not keep the service from starting
        log.warning("the warm-up question failed: %s", exc)


def _warm_up(app: FastAPI, container: Container) -> None:
    """Load the embedding models, the reranker and the answer provider's model in the
    background; /ready says when."""
    try:
        container.embeddings.embed_query("warm-up")
        container.support_embeddings.embed_query("warm-up")
        if container.reranker is not None:
            container.reranker.warm_up()
        container.provider.warm_up()
        _first_answer(container)
        app.state.warm.set()
    except Exception as exc:  # reported by /ready
        log.exception("could not load the models")
        app.state.warm_error = f"failed to load: {exc}"
