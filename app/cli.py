"""The ``groundwork`` command line."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from retrieval.errors import GroundworkError

app = typer.Typer(
    help="Groundwork: answers from your documents, with citations you can check.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
docs_app = typer.Typer(help="List and remove ingested documents.", no_args_is_help=True)
app.add_typer(docs_app, name="docs")
eval_app = typer.Typer(help="Measure retrieval and answer quality.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")

out = Console()
err = Console(stderr=True)

CollectionOpt = Annotated[str, typer.Option("--collection", "-c", help="collection name")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object")]
SplitQueriesOpt = Annotated[
    str | None,
    typer.Option(
        help="tune or report[:SHARE]: only that fixed part of the queries (SHARE, 0.5 by "
        "default, go to tune); choose levers on tune, report on report"
    ),
]


def _container():
    from pydantic import ValidationError

    from app.container import Container
    from app.settings import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'GROUNDWORK_' + '_'.join(str(p) for p in e['loc']).upper() if e['loc'] else ''}"
            f" {e['msg']}".strip()
            for e in exc.errors()
        )
        raise GroundworkError(f"invalid settings: {problems}") from None
    return Container(settings)


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="folder to ingest", exists=True, file_okay=False)],
    collection: CollectionOpt = "default",
    prune: Annotated[bool, typer.Option(help="remove documents whose files are gone")] = False,
    as_json: JsonOpt = False,
    workers: Annotated[int | None, typer.Option(help="parser processes")] = None,
    engine: Annotated[
        str | None, typer.Option(help="local (worker processes) or ray; default from settings")
    ] = None,
    ray_address: Annotated[
        str | None, typer.Option(help="a Ray cluster to run on; default: a local runtime")
    ] = None,
    embed_actors: Annotated[
        int | None, typer.Option(help="embedding actors (ray engine)", min=1)
    ] = None,
) -> None:
    """Ingest a folder: new and changed files are indexed, unchanged ones skipped."""
    from ingest.progress import RichProgress

    container = _container()
    if workers is not None:
        container.settings.ingest_workers = workers
    if engine is not None:
        if engine not in ("local", "ray"):
            raise typer.BadParameter(f"engine must be local or ray, got {engine!r}")
        container.settings.ingest_engine = engine  # type: ignore[assignment]
    if ray_address is not None:
        container.settings.ray_address = ray_address
    if embed_actors is not None:
        container.settings.ray_embed_actors = embed_actors
    ingestor = container.ingestor
    with container.writer_lock:
        summary = ingestor.ingest_folder(path, collection, prune=prune, progress=RichProgress())
    if as_json:
        data = summary.to_dict()
        data.pop("documents")
        _print_json(data)
        return
    table = Table(title=f"Ingested {path} into '{collection}' in {summary.seconds:.1f} s")
    for col in ("new", "updated", "unchanged", "failed", "skipped", "pruned", "chunks"):
        table.add_column(col, justify="right")
    table.add_row(
        str(summary.new),
        str(summary.updated),
        str(summary.unchanged),
        str(len(summary.failed)),
        str(len(summary.skipped)),
        str(summary.pruned),
        str(summary.chunks_written),
    )
    out.print(table)
    if summary.repaired:
        out.print(
            f"{summary.repaired} unchanged file(s) were missing from the index and were "
            "written again (counted as updated)"
        )
    if summary.sentences_embedded:
        out.print(f"{summary.sentences_embedded} sentences embedded for answering")
    problems = [("failed", f) for f in summary.failed] + [("skipped", s) for s in summary.skipped]
    if problems:
        detail = Table(title="Files not ingested")
        detail.add_column("file")
        detail.add_column("status")
        detail.add_column("reason")
        for status, item in problems:
            detail.add_row(item["source"], status, item["reason"])
        out.print(detail)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="the question")],
    collection: CollectionOpt = "default",
    as_json: JsonOpt = False,
    top_k: Annotated[int | None, typer.Option("--top-k", min=1, max=50)] = None,
    source: Annotated[list[str] | None, typer.Option(help="only search these files")] = None,
    document_id: Annotated[list[str] | None, typer.Option(help="only these document ids")] = None,
) -> None:
    """Answer a question from a collection, with verified citations."""
    container = _container()
    answer = container.answers.ask(
        question, collection, top_k=top_k, sources=source, document_ids=document_id
    )
    if as_json:
        _print_json(answer.model_dump())
        return
    out.print(answer.answer, style="bold yellow" if answer.refused else "bold")
    for c in answer.citations:
        out.print(f"  [{c.n}] {c.label}: “{c.snippet}”", highlight=False)
    for note in answer.notes:
        out.print(f"Note: {note}", style="italic", highlight=False)


@docs_app.command("list")
def docs_list(collection: CollectionOpt = "default", as_json: JsonOpt = False) -> None:
    """Documents of a collection with status, chunk count and last ingest."""
    container = _container()
    records = container.records.list(collection)
    rows = [
        {
            "document_id": r.document_id,
            "source": r.source,
            "title": r.title,
            "status": r.status,
            "reason": r.reason,
            "chunks": r.chunk_count,
            "pages": r.page_count,
            "ocr_pages": r.ocr_pages or 0,
            "last_ingest": datetime.fromtimestamp(r.updated_at).isoformat(timespec="seconds"),
        }
        for r in records
    ]
    if as_json:
        _print_json({"collection": collection, "documents": rows})
        return
    table = Table(title=f"Documents in '{collection}'")
    for col in ("source", "status", "chunks", "pages", "last ingest", "reason"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["source"],
            r["status"],
            str(r["chunks"]),
            str(r["pages"] or "") + (f" ({r['ocr_pages']} OCR)" if r["ocr_pages"] else ""),
            r["last_ingest"],
            r["reason"] or "",
        )
    out.print(table)


@docs_app.command("rm")
def docs_rm(
    document: Annotated[str, typer.Argument(help="source path or document id")],
    collection: CollectionOpt = "default",
) -> None:
    """Remove a document (by source path or id) from a collection."""
    container = _container()
    record = container.records.find_by_source(collection, document) or container.records.get(
        collection, document
    )
    if record is None:
        raise GroundworkError(f"no document {document!r} in collection {collection!r}")
    with container.writer_lock:
        container.ingestor.delete_document(collection, record.document_id)
    out.print(f"removed {record.source} ({record.chunk_count} chunks) from '{collection}'")


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="processes (needs Chroma server mode)", min=1)] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
) -> None:
    """Run the REST API (OpenAPI docs at /docs)."""
    import uvicorn

    from app.api.auth import KeyRing

    container = _container()
    settings = container.settings
    keys = KeyRing.load(settings.api_keys_file)
    if not keys.enabled and host not in LOOPBACK:
        raise GroundworkError(
            f"refusing to listen on {host} without API keys: anyone who can reach it could "
            "read every collection. Set GROUNDWORK_API_KEYS_FILE, or bind to 127.0.0.1."
        )
    if workers > 1 and settings.chroma_url is None:
        raise GroundworkError(
            "several workers need the Chroma server mode: the embedded store takes one "
            "writer at a time. Run `chroma run` and set GROUNDWORK_CHROMA_URL."
        )
    if container.read_only:  # answers from a copy of the index; changes are refused
        err.print(
            f"The data folder {settings.data_dir} is read-only: serving answers only.",
            highlight=False,
        )
        container.chroma_client  # noqa: B018 - opens (and checks) the store, kept for the app
    else:
        with container.writer_lock:  # a locked data folder: a message, not a traceback
            container.chroma_client  # noqa: B018 - opens (and checks) the store
    err.print(f"Groundwork API on http://{host}:{port} (docs at /docs)", highlight=False)
    if workers > 1:
        uvicorn.run(
            "app.api.factory:app",
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
            factory=True,
        )
    else:
        from app.api import create_app

        uvicorn.run(create_app(container=container), host=host, port=port, log_level=log_level)


def _ui_command(port: int, api_url: str) -> tuple[list[str], dict[str, str]]:
    """``streamlit run ui/app.py`` on 127.0.0.1, pointed at ``api_url``."""
    import importlib.util
    import os

    spec = importlib.util.find_spec("ui.app")  # the script's path; ui is not imported here
    if spec is None or spec.origin is None:
        raise GroundworkError("the ui package is not installed")
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        spec.origin,
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]
    return cmd, {**os.environ, "GROUNDWORK_UI_API_URL": api_url}


@app.command()
def ui(
    port: Annotated[int, typer.Option(help="port for the web page", min=1, max=65535)] = 8501,
    api_url: Annotated[str, typer.Option(help="where the API runs")] = "http://127.0.0.1:8000",
) -> None:
    """Run the chat UI alone (the API key comes from GROUNDWORK_UI_API_KEY or the sidebar)."""
    import os

    cmd, env = _ui_command(port, api_url)
    err.print(f"Groundwork UI on http://127.0.0.1:{port} (API {api_url})", highlight=False)
    os.execve(cmd[0], cmd, env)  # streamlit takes this process over: signals reach it


@app.command()
def up(
    docs: Annotated[Path, typer.Option(help="folder to ingest first", file_okay=False)] = Path(
        "sample_docs"
    ),
    collection: CollectionOpt = "company",
    api_port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    ui_port: Annotated[int, typer.Option(min=1, max=65535)] = 8501,
) -> None:
    """Ingest a folder, then run the API and the UI together on 127.0.0.1 until Ctrl-C."""
    import signal
    import subprocess
    import time
    import urllib.request

    from ingest.progress import RichProgress

    container = _container()
    if docs.is_dir():
        with container.writer_lock:
            summary = container.ingestor.ingest_folder(docs, collection, progress=RichProgress())
        out.print(
            f"Ingested {docs} into '{collection}': {summary.new} new, {summary.updated} updated, "
            f"{summary.unchanged} unchanged, {len(summary.failed)} failed"
        )
    del container

    def stop_on_signal(signum, frame):  # SIGTERM and Ctrl-C both stop the API and the UI
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)
    api_url = f"http://127.0.0.1:{api_port}"
    api = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.cli",
            "serve",
            "--port",
            str(api_port),
            "--log-level",
            "warning",
        ]
    )
    cmd, env = _ui_command(ui_port, api_url)
    web = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and api.poll() is None:
            try:
                urllib.request.urlopen(api_url + "/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        if api.poll() is not None:
            raise GroundworkError("the API did not start; see the messages above")
        out.print(
            f"\n[bold green]Groundwork is running.[/bold green] Open http://127.0.0.1:{ui_port} "
            f"(API {api_url}, docs {api_url}/docs). Ctrl-C stops both.",
            highlight=False,
            soft_wrap=True,
        )
        try:
            while api.poll() is None and web.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:  # the normal way to stop
            out.print("Stopping the API and the UI.")
    finally:
        for proc in (web, api):
            if proc.poll() is None:
                proc.terminate()
        for proc in (web, api):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


class _Counter:
    """A rich progress bar for questions, used as a callback."""

    def __init__(self, label: str, total: int) -> None:
        from rich.progress import Progress

        self.progress = Progress(console=err)
        self.progress.start()
        self.task = self.progress.add_task(label, total=total)

    def __call__(self) -> None:
        self.progress.advance(self.task)

    def __enter__(self) -> _Counter:
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()


def _report_table(title: str, data: dict) -> None:
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    rows = dict(data)
    for key, value in dict(rows.pop("conversation", None) or {}).items():
        rows[f"with history: {key}"] = value
    for key, value in rows.items():
        if not isinstance(value, dict | list):
            table.add_row(key, f"{value:.4f}" if isinstance(value, float) else str(value))
    out.print(table)


def _query_split(spec: str | None):
    from app.evaluation.splits import QuerySplit

    if spec is None:
        return None
    try:
        return QuerySplit.parse(spec)
    except ValueError as exc:
        raise GroundworkError(str(exc)) from None


@eval_app.command("retrieval")
def eval_retrieval(
    beir: Annotated[Path, typer.Option(help="BEIR folder", exists=True, file_okay=False)],
    qrels: Annotated[str, typer.Option(help="qrels split file name (without .tsv)")] = "test",
    mode: Annotated[str, typer.Option(help="hybrid, dense or keyword")] = "hybrid",
    limit: Annotated[int | None, typer.Option(help="only the first N queries")] = None,
    split_queries: SplitQueriesOpt = None,
    rerank: Annotated[
        bool,
        typer.Option(
            help="rank as /ask shows its sources: the reranker reorders the first "
            "GROUNDWORK_RERANK_POOL chunks (default: the retriever alone)"
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """nDCG@10, Recall@10/100, MRR@10 and latency on a BEIR-format dataset."""
    from app.evaluation.datasets import read_beir
    from app.evaluation.retrieval_eval import run_retrieval_eval
    from ingest.progress import RichProgress

    if mode not in {"hybrid", "dense", "keyword"}:
        raise GroundworkError(f"--mode must be hybrid, dense or keyword, got {mode!r}")
    container = _container()
    total = len(read_beir(beir, qrels).queries)
    with container.writer_lock, _Counter("Queries", min(total, limit or total)) as counter:
        report = run_retrieval_eval(
            container,
            beir,
            split=qrels,
            mode=mode,
            rerank=rerank,
            limit=limit,
            query_split=_query_split(split_queries),
            progress=RichProgress("Ingesting corpus"),
            query_progress=counter,
        )
    if as_json:
        _print_json(report.to_dict())
    else:
        _report_table(f"Retrieval on {beir} ({qrels}, {mode})", report.to_dict())


@eval_app.command("qa")
def eval_qa(
    squad: Annotated[Path, typer.Option(help="SQuAD v1.1 JSON file", exists=True, dir_okay=False)],
    limit: Annotated[int | None, typer.Option(help="a fixed sample of N questions")] = None,
    negatives: Annotated[int, typer.Option(help="questions asked without their article")] = 100,
    provider: Annotated[
        str | None, typer.Option(help="answer provider (default: GROUNDWORK_LLM)")
    ] = None,
    split_queries: SplitQueriesOpt = None,
    conversational: Annotated[
        bool,
        typer.Option(
            help="ask every question again after two turns of history: the questions before "
            "it in its article, or another article's for a negative"
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Answer hit rate, token F1 and precision, wrong-but-accepted rate, citation accuracy,
    refusals (other-article and same-article negatives) and latency on SQuAD v1.1."""
    from app.evaluation.datasets import read_squad
    from app.evaluation.qa_eval import run_qa_eval
    from ingest.progress import RichProgress
    from retrieval.answer.providers import available_providers

    container = _container()
    if provider is not None:
        if provider not in available_providers():
            raise GroundworkError(
                f"unknown provider {provider!r}; choose one of {', '.join(available_providers())}"
            )
        container.settings.llm = provider
    total = len(read_squad(squad).questions)
    questions = (min(total, limit or total) + negatives) * (2 if conversational else 1)
    questions += negatives  # same-article negatives (fewer when few qualify)
    with container.writer_lock, _Counter("Questions", questions) as counter:
        report = run_qa_eval(
            container,
            squad,
            limit=limit,
            negatives=negatives,
            query_split=_query_split(split_queries),
            conversational=conversational,
            progress=RichProgress("Ingesting paragraphs"),
            question_progress=counter,
        )
    if as_json:
        _print_json(report.to_dict())
    else:
        _report_table(f"Question answering on {squad}", report.to_dict())


@eval_app.command("citations")
def eval_citations(
    squad: Annotated[Path, typer.Option(help="SQuAD v1.1 JSON file", exists=True, dir_okay=False)],
    limit: Annotated[int | None, typer.Option(help="a fixed sample of N questions")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The citation verifier alone: how often it accepts supported answer sentences and
    each kind of wrong one (built from SQuAD v1.1; no retrieval, no model)."""
    from app.evaluation.citation_eval import run_citation_eval
    from app.evaluation.datasets import read_squad

    container = _container()
    total = len(read_squad(squad).questions)
    with _Counter("Sentences", 6 * min(total, limit or total)) as counter:
        report = run_citation_eval(container, squad, limit=limit, progress=counter)
    data = report.to_dict()
    if as_json:
        _print_json(data)
        return
    table = Table(title=f"Citation verifier on {squad} ({report.questions} questions)")
    for col in ("category", "should", "sentences", "accepted"):
        table.add_column(col, justify="right")
    for category, rate in report.accept_rate.items():
        should = "accept" if category in ("supported", "short") else "refuse"
        table.add_row(category, should, str(report.cases[category]), f"{rate:.3f}")
    out.print(table)
    out.print(
        f"precision {report.accept_precision:.3f}, recall {report.accept_recall:.3f}, "
        f"verify p50 {report.verify_ms_p50} ms, p95 {report.verify_ms_p95} ms"
    )


def main() -> None:
    try:
        app()
    except GroundworkError as exc:
        err.print(f"[red]Error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        err.print("[yellow]Interrupted.[/yellow] Re-run the same command to finish the work.")
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
