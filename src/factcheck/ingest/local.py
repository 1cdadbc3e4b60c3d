"""Reading articles from local files and folders."""

from __future__ import annotations

import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from .decode import decode_bytes, looks_like_html
from .document import Document, sha256_hex

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
ARTICLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
MAX_FILE_BYTES = 20 * 1024 * 1024


def expand_paths(inputs: Iterable[str | Path]) -> list[Path]:
    """Files named directly are kept whatever their suffix; folders are walked (sorted) for
    article files (.txt, .md, .html, .htm)."""
    found: list[Path] = []
    for item in inputs:
        path = Path(item).expanduser()
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*")
                                if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
                                and not p.name.startswith(".")))
        else:
            found.append(path)
    return found


def printable(name: str | Path) -> str:
    """A file name as text that can be stored and shown: bytes that are not UTF-8 (a name such as
    ``b"\\xff\\xfe.txt"``, legal on Linux, arrives from the OS as lone surrogates) are written
    as ``\\xff``. Stable from run to run, so the article keeps its id."""
    raw = str(name).encode("utf-8", "surrogateescape")
    return raw.decode("utf-8", "backslashreplace")


def read_file(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Read one local file into a :class:`Document`; never raises for bad content."""
    path = Path(path).expanduser().resolve()
    doc = Document(source=printable(path), source_kind="file", site=printable(path.parent.name))
    name = printable(path.name)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            doc.error_kind, doc.error = "not_a_file", f"{name}: not a regular file, skipped"
            return doc
        if info.st_size > max_bytes:
            doc.error_kind, doc.error = "too_large", (
                f"{name}: {info.st_size:,} bytes is over the {max_bytes:,}-byte limit")
            return doc
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)  # the file may have grown since stat
        if len(data) > max_bytes:
            doc.error_kind, doc.error = "too_large", f"{name}: over the {max_bytes:,}-byte limit"
            return doc
    except OSError as exc:
        doc.error_kind, doc.error = "io", f"{name}: cannot read: {exc.strerror or exc}"
        return doc
    doc.raw_bytes = len(data)
    doc.content_hash = sha256_hex(data)
    decoded = decode_bytes(data)
    if decoded.text is None:
        doc.error_kind, doc.error = decoded.error_kind, f"{name}: {decoded.error}"
        return doc
    doc.text, doc.encoding = decoded.text, decoded.encoding
    if decoded.warning:
        doc.warnings.append(("encoding", f"{name}: {decoded.warning}"))
    is_html = path.suffix.lower() in HTML_SUFFIXES or (
        path.suffix.lower() not in TEXT_SUFFIXES and looks_like_html(data))
    doc.content_type = "text/html" if is_html else "text/plain"
    return doc


def read_local(inputs: Iterable[str | Path]) -> Iterator[Document]:
    for path in expand_paths(inputs):
        yield read_file(path)
