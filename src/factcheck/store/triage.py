"""Editors' triage decisions, in their own small database beside the published one.

An editor marks a flagged claim ``reviewed``, ``dismissed`` or ``escalated`` (or ``open``
again), with a note. Decisions live in ``triage.duckdb`` beside the published database (or
at ``FACTCHECK_TRIAGE_DB``): the nightly run never writes that file, and the published
database is replaced whole every night, so decisions must not live in it. The nightly run
reads it (read-only, a moment) to show in the report which flags are new or still open.

A decision is about a sentence of an article, not a claim id: a claim id changes with every
new version of its article, while an editor's decision should hold while the sentence is
unchanged. It stops holding when the claim gains a flag the editor did not see (the decision
records the flags it was made on).

Every decision is kept (``decisions`` is append-only); the latest per (article, sentence)
is the one in force (view ``current_decisions``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from ..settings import get_settings
from .db import records

log = logging.getLogger(__name__)

STATUSES = ("reviewed", "dismissed", "escalated", "open")
TRIAGE_FILE = "triage.duckdb"

SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    article_id      VARCHAR NOT NULL,
    sentence_key    VARCHAR NOT NULL,            -- sha1 of the sentence, case and spacing aside
    claim_id        VARCHAR NOT NULL,            -- the claim the editor saw
    sentence        VARCHAR NOT NULL,
    flags           VARCHAR[] NOT NULL,          -- the flags it had when decided
    status          VARCHAR NOT NULL CHECK (status IN ('reviewed', 'dismissed', 'escalated', 'open')),
    note            VARCHAR,
    editor          VARCHAR,
    decided_at      TIMESTAMP NOT NULL
);
CREATE OR REPLACE VIEW current_decisions AS
SELECT * FROM decisions
QUALIFY row_number() OVER (PARTITION BY article_id, sentence_key ORDER BY decided_at DESC) = 1;
"""


class TriageError(RuntimeError):
    """A decision could not be recorded (unknown claim, bad status, file busy)."""


@dataclass
class Decision:
    article_id: str
    sentence_key: str
    claim_id: str
    sentence: str
    flags: list[str]
    status: str
    note: str | None
    editor: str | None
    decided_at: datetime

    def holds_for(self, flags) -> bool:
        """Whether the decision still holds for a claim with ``flags`` (it gained none)."""
        return set(flags or []) <= set(self.flags)


def sentence_key(sentence: str) -> str:
    return hashlib.sha1(" ".join(sentence.lower().split()).encode("utf-8")).hexdigest()


def triage_path(db: str | os.PathLike[str]) -> Path:
    """Where the decisions about ``db`` live: ``FACTCHECK_TRIAGE_DB``, else beside it."""
    configured = get_settings().triage_db
    return Path(configured) if configured else Path(db).resolve().parent / TRIAGE_FILE


def _open(path: Path, read_only: bool, wait_s: float = 5.0) -> duckdb.DuckDBPyConnection:
    """Open the triage file, waiting a little while another process writes it (each writer
    holds it for one insert)."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            if not read_only:
                con.execute(SCHEMA)
            return con
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            # another process writes it (IOException: its lock), or another connection of this
            # process has it open in the other mode (ConnectionException: Streamlit runs each
            # browser session as a thread of one process); anything else (a missing folder, a
            # file that is not a DuckDB database) will not pass by waiting
            busy = isinstance(exc, duckdb.ConnectionException) or \
                "lock" in str(exc).replace(str(path), "").lower()
            if not busy:
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise TriageError(f"the triage database {path} cannot be opened: {first}") from exc
            if time.monotonic() >= deadline:
                raise TriageError(f"the triage database {path} is busy: {exc}") from exc
            time.sleep(0.1)


def record_decision(db: str | os.PathLike[str], claim_id: str, status: str, *, note: str | None = None,
                    editor: str | None = None, triage_db: str | os.PathLike[str] | None = None) -> Decision:
    """Record an editor's decision on the current claim ``claim_id`` of the published
    database ``db`` (read, never written) in the triage database."""
    if status not in STATUSES:
        raise TriageError(f"unknown status {status!r}: one of {', '.join(STATUSES)}")
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        row = con.execute(
            """SELECT c.article_id, c.sentence, coalesce(v.flags, [])
               FROM current_claims c LEFT JOIN verdicts v USING (claim_id) WHERE c.claim_id = ?""",
            [claim_id]).fetchone()
    if row is None:
        raise TriageError(f"no current claim {claim_id} in {db}")
    article_id, sentence, flags = row
    decision = Decision(article_id, sentence_key(sentence), claim_id, sentence, list(flags), status,
                        (note or "").strip() or None, (editor or "").strip() or None,
                        datetime.now(timezone.utc).replace(tzinfo=None))
    path = Path(triage_db) if triage_db else triage_path(db)
    with closing(_open(path, read_only=False)) as tcon:
        tcon.execute("INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [decision.article_id, decision.sentence_key, decision.claim_id, decision.sentence,
                      decision.flags, decision.status, decision.note, decision.editor, decision.decided_at])
    return decision


def load_decisions(path: str | os.PathLike[str] | None, *, strict: bool = False
                   ) -> dict[tuple[str, str], Decision]:
    """The decisions in force, by (article_id, sentence_key); empty when there is no triage
    database yet. One that cannot be read now raises :class:`TriageError` when ``strict`` (a
    run records it: its report would show every flag open), else is logged and read as none."""
    if path is None or not Path(path).exists():
        return {}
    try:
        with closing(_open(Path(path), read_only=True)) as con:
            rows = con.execute("SELECT article_id, sentence_key, claim_id, sentence, flags, status, note,"
                               " editor, decided_at FROM current_decisions").fetchall()
    except (TriageError, duckdb.Error) as exc:
        if strict:
            raise exc if isinstance(exc, TriageError) else TriageError(
                f"the triage database {path} cannot be read: {str(exc).splitlines()[0]}") from exc
        log.warning("editors' decisions not read (%s): the report shows every flag as open", exc)
        return {}
    return {(r[0], r[1]): Decision(r[0], r[1], r[2], r[3], list(r[4]), r[5], r[6], r[7], r[8]) for r in rows}


def decision_for(decisions: dict[tuple[str, str], Decision], article_id: str, sentence: str,
                 flags) -> Decision | None:
    """The decision in force for a claim, if any still holds (``open`` counts as none)."""
    found = decisions.get((article_id, sentence_key(sentence)))
    if found is None or found.status == "open" or not found.holds_for(flags):
        return None
    return found


def history(path: str | os.PathLike[str], limit: int = 200) -> list[dict]:
    """The latest decisions, newest first (for the CLI and the dashboard)."""
    if not Path(path).exists():
        return []
    with closing(_open(Path(path), read_only=True)) as con:
        cur = con.execute("SELECT decided_at, status, editor, note, sentence, claim_id, article_id"
                          " FROM decisions ORDER BY decided_at DESC LIMIT ?", [limit])
        return records(cur)
