"""The one module that talks to the Groundwork API (httpx). Pages call it; tests use it.

Every failure becomes an ``ApiError`` whose message a person can read (no tracebacks):
a wrong key, a collection the key may not use, an outage, a timeout, a refused connection.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx


class ApiError(Exception):
    """A failed API call, with a message meant for the person using the UI."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class StreamedAnswer:
    """Filled in while an answer streams: the standalone question, sources, final answer."""

    question: str = ""
    sources: list[dict[str, Any]] = field(default_factory=list)
    answer: dict[str, Any] | None = None
    error: str | None = None


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(detail, list):  # validation errors
        return "; ".join(str(d.get("msg", d)) for d in detail)
    return str(detail)


def _explain(status: int, detail: str) -> str:
    if status == 401:
        return "The API did not accept the key. Check the API key in the sidebar."
    if status == 403:
        return f"This key is not allowed to do that: {detail}"
    if status == 404:
        return f"Not found: {detail}"
    if status == 413:
        return f"Too much at once: {detail}"
    if status == 503:
        return f"Groundwork is unavailable right now: {detail}"
    if status >= 500:
        return f"The API failed ({status}): {detail}"
    return detail


class GroundworkClient:
    def __init__(self, base_url: str, api_key: str | None = None, timeout_s: float = 120.0):
        self.base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout_s)
        self.timeout_s = timeout_s

    def close(self) -> None:
        self._http.close()

    # -- plumbing -----------------------------------------------------------------------

    @contextmanager
    def _transport(self) -> Iterator[None]:
        """Network failures as messages: a timeout, or an API that cannot be reached."""
        try:
            yield
        except httpx.TimeoutException:
            raise ApiError(
                f"The API at {self.base_url} did not answer within {self.timeout_s:.0f} s."
            ) from None
        except httpx.HTTPError as exc:
            raise ApiError(f"Cannot reach the API at {self.base_url} ({exc}).") from None

    def _request(
        self, method: str, path: str, *, accept: tuple[int, ...] = (), **kwargs
    ) -> httpx.Response:
        with self._transport():
            response = self._http.request(method, path, **kwargs)
        if response.status_code >= 400 and response.status_code not in accept:
            raise ApiError(_explain(response.status_code, _detail(response)), response.status_code)
        return response

    # -- reading ------------------------------------------------------------------------

    def ready(self) -> dict[str, Any]:
        """Readiness checks; a 503 here is an answer (still loading), not an error."""
        return self._request("GET", "/ready", accept=(503,)).json()

    def collections(self) -> list[dict[str, Any]]:
        return self._request("GET", "/collections").json()

    def documents(self, collection: str) -> list[dict[str, Any]]:
        return self._request("GET", f"/collections/{collection}/documents").json()

    def document(self, collection: str, document_id: str) -> dict[str, Any]:
        return self._request(
            "GET", f"/collections/{collection}/documents/{document_id}", params={"chunks": True}
        ).json()

    def job(self, job_id: str) -> dict[str, Any]:
        return self._request("GET", f"/jobs/{job_id}").json()

    # -- asking -------------------------------------------------------------------------

    def ask_stream(
        self,
        question: str,
        collection: str,
        *,
        history: list[dict[str, str]] | None = None,
        top_k: int | None = None,
        into: StreamedAnswer | None = None,
    ) -> Iterator[str]:
        """Yield answer text as it streams; ``into`` receives the sources and final answer."""
        state = into if into is not None else StreamedAnswer()
        body = {
            "question": question,
            "collection": collection,
            "history": history or [],
            "top_k": top_k,
            "stream": True,
        }
        with self._transport(), self._http.stream("POST", "/ask", json=body) as response:
            if response.status_code >= 400:
                response.read()
                raise ApiError(
                    _explain(response.status_code, _detail(response)), response.status_code
                )
            kind = None
            for line in response.iter_lines():
                if line.startswith("event: "):
                    kind = line[7:].strip()
                elif line.startswith("data: "):
                    data = json.loads(line[6:])
                    if kind == "sources":
                        state.question, state.sources = data["question"], data["sources"]
                    elif kind == "token":
                        yield data["text"]
                    elif kind == "done":
                        state.answer = data
                    elif kind == "error":
                        state.error = _explain(data["status"], data["detail"])

    # -- changing -----------------------------------------------------------------------

    def upload(self, collection: str, name: str, content: bytes) -> dict[str, Any]:
        """Upload one file; the per-file result (a rejected file is a result, not an error)."""
        response = self._request(
            "POST",
            f"/collections/{collection}/documents",
            files=[("files", (name, content))],
            accept=(422,),
        )
        body = response.json()
        if "files" not in body:  # a 422 about the request itself, not about the file
            raise ApiError(_detail(response), response.status_code)
        return body["files"][0]

    def delete_document(self, collection: str, document_id: str) -> None:
        self._request("DELETE", f"/collections/{collection}/documents/{document_id}")

    def start_job(self, collection: str, path: str, prune: bool = False) -> dict[str, Any]:
        return self._request(
            "POST", "/jobs", json={"collection": collection, "path": path, "prune": prune}
        ).json()

    def cancel_job(self, job_id: str) -> dict[str, Any]:
        return self._request("DELETE", f"/jobs/{job_id}").json()
