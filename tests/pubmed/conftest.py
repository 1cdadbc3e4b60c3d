from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pubmed"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def articles_xml() -> Path:
    return FIXTURES / "articles.xml"


@pytest.fixture
def update_xml() -> Path:
    return FIXTURES / "update.xml"


@pytest.fixture
def nlm_baseline() -> Path:
    return FIXTURES / "nlm_baseline_cut.xml.gz"


@pytest.fixture
def nlm_update() -> Path:
    return FIXTURES / "nlm_update_cut.xml.gz"


@pytest.fixture
def gz_copy(tmp_path: Path):
    """Gzip a file into tmp_path and return the new path."""
    def make(src: Path, name: str | None = None) -> Path:
        out = tmp_path / (name or (src.name + ".gz"))
        out.write_bytes(gzip.compress(src.read_bytes()))
        return out
    return make


class RecordingServer:
    """A real HTTP server on 127.0.0.1 (uvicorn in a thread) serving a Starlette app."""

    def __init__(self, app):
        import uvicorn

        self.config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error",
                                     lifespan="off")
        self.server = uvicorn.Server(self.config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> str:
        self.thread.start()
        import time

        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        sock = self.server.servers[0].sockets[0]
        host, port = sock.getsockname()[:2]
        return f"http://{host}:{port}/"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


@pytest.fixture
def serve() -> Iterator:
    """Start Starlette apps on 127.0.0.1; returns a function app -> base URL."""
    servers: list[RecordingServer] = []

    def start(app) -> str:
        server = RecordingServer(app)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


async def request_params(request) -> dict[str, str]:
    """A Starlette request's parameters, from its query string and its form body alike (the
    E-utilities client POSTs long queries)."""
    from urllib.parse import parse_qs

    body = (await request.body()).decode()
    params = {k: v[0] for k, v in parse_qs(body).items()}
    params.update(request.query_params)
    return params
