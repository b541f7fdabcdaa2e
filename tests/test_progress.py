import io

from rich.console import Console

from ingest.progress import RichProgress


def test_progress_in_a_log_file_prints_rates_and_eta():
    buffer = io.StringIO()
    progress = RichProgress("Ingesting", log_every_s=0.0, console=Console(file=buffer))
    progress.start(4)
    progress.advance(1, 10)
    progress.advance(1, 10)
    progress.finish()
    text = buffer.getvalue()
    assert "4 files to process" in text
    assert "2/4 files" in text and "files/s" in text and "chunks/s" in text and "ETA" in text
