"""Servers that answer in broken HTTP: recorded as `protocol` errors, not retried (a server
that lies about its Content-Length or breaks chunked encoding does it again)."""

from __future__ import annotations

import socket
import threading
from collections import Counter

import pytest

from factcheck.ingest.web import crawl

ANSWERS = {
    "/lie": b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n<p>short",
    "/chunked": b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"zz\r\nnot a chunk\r\n",
    "/robots.txt": b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
}


@pytest.fixture
def raw_server():
    """A socket server on 127.0.0.1 that sends the bytes of ANSWERS and closes."""
    hits: Counter = Counter()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                request = conn.recv(65536).decode("latin-1")
                path = request.split(" ", 2)[1] if " " in request else "/"
                hits[path] += 1
                conn.sendall(ANSWERS.get(path, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", hits
    stop.set()
    thread.join()
    listener.close()


@pytest.mark.parametrize("path", ["/lie", "/chunked"])
def test_broken_http_is_a_protocol_error_and_is_not_retried(raw_server, settings, con, path):
    base, hits = raw_server
    summary = crawl(con, [base + path], "run-1", settings=settings)
    assert summary.errors == 1
    outcome, kind, message, attempts = con.execute(
        "SELECT outcome, error_kind, error, attempts FROM fetch_log WHERE url = ?",
        [base + path]).fetchone()
    assert (outcome, kind, attempts) == ("error", "protocol", 1)
    assert "broken HTTP" in message
    assert hits[path] == 1
