"""The documents as read live in the raw folder beside the database, not in its table."""

from __future__ import annotations

import gzip
from contextlib import closing
from datetime import datetime, timezone

from factcheck import pipeline
from factcheck.ingest.document import Document, sha256_hex
from factcheck.store import articles as sa
from factcheck.store.db import connect
from factcheck.store.raw import document_text

PAGE = ("<html><head><title>Ketamine</title></head><body><nav>Home | Clinics | Contact</nav>"
        "<article><h1>Ketamine for pain</h1><p>Ketamine infusions relieve chronic pain for"
        " weeks in some patients.</p></article></body></html>")


def doc(source: str, text: str) -> Document:
    data = text.encode()
    return Document(source=source, source_kind="url", text=text, raw_bytes=len(data),
                    content_hash=sha256_hex(data), content_type="text/html",
                    fetched_at=datetime.now(timezone.utc))


def test_a_document_is_stored_once_gzipped_under_its_hash_beside_the_database(tmp_path, monkeypatch):
    monkeypatch.delenv("FACTCHECK_RAW_DIR", raising=False)
    db = tmp_path / "out" / "factcheck.duckdb"
    db.parent.mkdir()
    with closing(connect(db)) as con:
        first = sa.save_document(con, doc("https://a.example/ketamine", PAGE), "r1")
        mirror = sa.save_document(con, doc("https://mirror.example/ketamine", PAGE), "r1")
        rows = con.execute("SELECT content_hash, raw_text FROM article_versions").fetchall()
        assert document_text(con, first.article_id, first.version) == PAGE
    assert mirror.duplicate_of == first.article_id and len(rows) == 1
    key = sha256_hex(PAGE.encode())
    files = sorted((db.parent / "raw").rglob("*.txt.gz"))
    assert files == [db.parent / "raw" / key[:2] / f"{key}.txt.gz"]
    assert gzip.decompress(files[0].read_bytes()).decode() == PAGE
    assert all(h == key and text is None for h, text in rows)


def test_a_database_in_memory_keeps_the_text_in_its_table(monkeypatch):
    monkeypatch.delenv("FACTCHECK_RAW_DIR", raising=False)
    with closing(connect(":memory:")) as con:
        saved = sa.save_document(con, doc("https://a.example/k", PAGE), "r1")
        assert con.execute("SELECT raw_text FROM article_versions").fetchone()[0] == PAGE
        assert document_text(con, saved.article_id, saved.version) == PAGE


def test_the_raw_folder_can_be_put_elsewhere(tmp_path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_RAW_DIR", str(tmp_path / "elsewhere"))
    with closing(connect(tmp_path / "f.duckdb")) as con:
        saved = sa.save_document(con, doc("https://a.example/k", PAGE), "r1")
        assert document_text(con, saved.article_id, saved.version) == PAGE
    assert len(list((tmp_path / "elsewhere").rglob("*.txt.gz"))) == 1
    assert not (tmp_path / "raw").exists()


def test_a_lost_raw_file_fails_its_version_only_with_the_reason_recorded(tmp_path, monkeypatch):
    monkeypatch.delenv("FACTCHECK_RAW_DIR", raising=False)
    db = tmp_path / "f.duckdb"
    other = PAGE.replace("Ketamine infusions", "Magnesium tablets").replace("Ketamine", "Magnesium")
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    with closing(connect(db)) as con:
        lost = sa.save_document(con, doc("https://a.example/ketamine", PAGE), run)
        kept = sa.save_document(con, doc("https://a.example/magnesium", other), run)
    key = sha256_hex(PAGE.encode())
    (tmp_path / "raw" / key[:2] / f"{key}.txt.gz").unlink()

    counts = pipeline.clean_stage(db, run)

    assert counts["errors"] == 1 and counts["cleaned"] == 1
    with closing(connect(db, read_only=True)) as con:
        status = dict(con.execute("SELECT article_id, clean_status FROM article_versions").fetchall())
        message = con.execute("SELECT message FROM pipeline_errors WHERE stage = 'clean'").fetchone()[0]
    assert status == {lost.article_id: "error", kept.article_id: "ok"}
    assert key in message and "raw folder" in message


def test_a_damaged_raw_file_fails_its_version_only(tmp_path, monkeypatch):
    monkeypatch.delenv("FACTCHECK_RAW_DIR", raising=False)
    db = tmp_path / "f.duckdb"
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    with closing(connect(db)) as con:
        sa.save_document(con, doc("https://a.example/ketamine", PAGE), run)
    key = sha256_hex(PAGE.encode())
    path = tmp_path / "raw" / key[:2] / f"{key}.txt.gz"
    path.write_bytes(path.read_bytes()[:12] + b"\x00garbage" * 8)     # a gzip header, then junk

    counts = pipeline.clean_stage(db, run)

    assert counts["errors"] == 1
    with closing(connect(db, read_only=True)) as con:
        message = con.execute("SELECT message FROM pipeline_errors WHERE stage = 'clean'").fetchone()[0]
    assert "cannot be read" in message and key in message


def test_without_its_raw_folder_nothing_is_cleaned_and_nothing_is_marked_failed(tmp_path, monkeypatch):
    """A database moved without its raw folder: the run stops with the fix in its message, and
    the versions stay pending for the run that has the folder again."""
    import shutil

    import pytest

    from factcheck.store.raw import RawFolderMissing

    monkeypatch.delenv("FACTCHECK_RAW_DIR", raising=False)
    db = tmp_path / "f.duckdb"
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    with closing(connect(db)) as con:
        sa.save_document(con, doc("https://a.example/ketamine", PAGE), run)
    shutil.move(tmp_path / "raw", tmp_path / "raw-elsewhere")
    with pytest.raises(RawFolderMissing, match="FACTCHECK_RAW_DIR"):
        pipeline.clean_stage(db, run)
    with closing(connect(db, read_only=True)) as con:
        assert con.execute("SELECT clean_status FROM article_versions").fetchall() == [("pending",)]
    monkeypatch.setenv("FACTCHECK_RAW_DIR", str(tmp_path / "raw-elsewhere"))
    assert pipeline.clean_stage(db, run)["cleaned"] == 1
