from datetime import datetime, timezone

import duckdb
import pytest

from factcheck.ingest.document import Document, sha256_hex
from factcheck.store import articles as sa
from factcheck.store import claims as store_claims
from factcheck.store import runs as store_runs
from factcheck.store.raw import document_text
from factcheck.store.rows import Claim
from factcheck.store.db import apply_migrations, connect, migration_files, schema_version
from factcheck.store.publish import WriterBusy, WriterLock, begin_work, publish


def doc(source: str, text: str, kind: str = "file") -> Document:
    data = text.encode()
    return Document(source=source, source_kind=kind, text=text, raw_bytes=len(data),
                    content_hash=sha256_hex(data), fetched_at=datetime.now(timezone.utc))


def test_migrations_apply_once_and_in_order(con):
    numbers = [n for n, _, _ in migration_files()]
    assert numbers == sorted(numbers) and numbers[0] == 1
    assert schema_version(con) == numbers[-1]
    assert apply_migrations(con) == []  # second application is a no-op
    assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(numbers)


def test_migrations_are_stamped_in_utc_whatever_the_local_time_zone(tmp_path):
    """Every timestamp of the schema is UTC: the migrations' too (the column's default,
    DuckDB's current_timestamp, is the process's local time, read when it starts)."""
    import os
    import subprocess
    import sys

    before = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    script = ("import sys; from factcheck.store.db import connect; c = connect(sys.argv[1]); "
              "print('\\n'.join(str(r[0]) for r in c.execute("
              "'SELECT applied_at FROM schema_migrations').fetchall()))")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "tz.duckdb")],
                          env={**os.environ, "TZ": "Asia/Tokyo"},   # UTC+9, no daylight saving
                          capture_output=True, text=True, check=True)
    after = datetime.now(timezone.utc).replace(tzinfo=None)
    stamps = [datetime.fromisoformat(line) for line in done.stdout.splitlines() if line.strip()]
    assert stamps and all(before <= s <= after for s in stamps), (stamps, before, after)


def test_fts_extension_loads_without_network(con):
    assert con.execute("SELECT current_setting('autoinstall_known_extensions')").fetchone()[0] is False
    loaded = con.execute("SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'fts'").fetchone()
    assert loaded == (True,)


def test_same_content_is_one_version_and_changes_are_new_versions(con):
    store_runs.start_run(con, "r1", "test", [])
    first = sa.save_document(con, doc("/a/one.txt", "Ketamine blocks NMDA receptors."), "r1")
    again = sa.save_document(con, doc("/a/one.txt", "Ketamine blocks NMDA receptors."), "r2")
    changed = sa.save_document(con, doc("/a/one.txt", "Ketamine blocks NMDA receptors in rats."), "r2")
    assert first.is_new and first.version == 1
    assert not again.is_new and again.version == 1
    assert changed.is_new and changed.version == 2
    assert con.execute("SELECT latest_version, last_seen_run FROM articles").fetchone() == (2, "r2")
    assert con.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 2


def test_copies_under_another_source_are_not_stored_twice(con):
    a = sa.save_document(con, doc("https://a.example/post", "Same text.", "url"), "r1")
    b = sa.save_document(con, doc("https://mirror.example/post", "Same text.", "url"), "r1")
    assert b.duplicate_of == a.article_id and not b.is_new
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 1


def test_unusable_documents_are_recorded_not_stored(con):
    bad = Document(source="/x/empty.txt", source_kind="file", error_kind="empty", error="empty.txt: empty")
    assert sa.save_document(con, bad, "r1") is None
    assert con.execute("SELECT stage, error_kind, severity FROM pipeline_errors").fetchall() == [
        ("ingest", "empty", "error")]
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 0


def test_claims_are_replaced_not_duplicated(con):
    saved = sa.save_document(con, doc("/a/x.txt", "Ketamine relieves pain. It is cheap."), "r1")
    claim = Claim(sentence="Ketamine relieves pain.", start=0, end=23, claim_type="efficacy",
                  certainty="assertive", polarity="positive", score=0.9, reason="efficacy verb",
                  intervention="ketamine", condition="pain", outcome="relief", mesh_terms=["Ketamine"],
                  figures=["within hours"], attribution="reported", attributed_to="Some clinics")
    for _ in range(2):
        store_claims.save_claims(con, saved.article_id, saved.version, [claim], "r1")
    assert con.execute("SELECT count(*) FROM claims").fetchone()[0] == 1
    # the same Claim comes back out, matched by column name
    (back,) = store_claims.load_claims(con, relation="claims")
    assert back.claim_id == store_claims.claim_id_for(saved.article_id, saved.version, 0, 23)
    back.claim_id = None
    assert back == claim
    assert con.execute("SELECT claims_status FROM article_versions").fetchone()[0] == "done"


def test_writer_lock_is_exclusive(tmp_path):
    db = tmp_path / "f.duckdb"
    with WriterLock(db):
        with pytest.raises(WriterBusy):
            with WriterLock(db):
                pass
    with WriterLock(db):  # released
        pass


def test_a_reserved_lock_is_taken_over_by_the_run_and_refuses_every_other_meanwhile(tmp_path):
    """A command reserves the lock before Prefect starts (seconds): a second command in that
    window is refused at once; the run's own lock takes the reservation over (no refusal of
    its own), and its release frees the file."""
    import subprocess
    import sys

    db = tmp_path / "f.duckdb"
    other = [sys.executable, "-c", "from factcheck.store.publish import WriterLock, WriterBusy\n"
             f"try:\n    WriterLock.reserve({str(db)!r})\nexcept WriterBusy as e:\n    print(e)"]
    WriterLock.reserve(db)
    try:
        refused = subprocess.run(other, capture_output=True, text=True, timeout=60)
        assert "another factcheck run is writing" in refused.stdout, refused.stderr
        with WriterLock(str(db)) as run_lock:            # the run, in this process
            assert run_lock.abandoned is None
            with pytest.raises(WriterBusy):              # a second taker is refused, as ever
                with WriterLock(db):
                    pass
        assert subprocess.run(other, capture_output=True, text=True, timeout=60).stdout == ""
    finally:
        WriterLock.release_reserved(db)
    # a reservation no run took over is released by the command
    WriterLock.reserve(db)
    WriterLock.release_reserved(db)
    with WriterLock(db):
        pass


def test_a_lock_file_holding_any_bytes_does_not_stop_runs(tmp_path):
    db = tmp_path / "f.duckdb"
    (tmp_path / "f.duckdb.lock").write_bytes(b"\xff\xfe\x00garbage\n\x80run x")
    WriterLock.check(db)
    with WriterLock(db) as lock:
        assert lock.abandoned is None


def test_a_lock_left_by_a_killed_process_does_not_block_the_next_run(tmp_path):
    import signal
    import subprocess
    import sys

    db = tmp_path / "f.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from factcheck.store.publish import WriterLock\n"
         f"with WriterLock({str(db)!r}):\n    print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(WriterBusy, match=f"PID {holder.pid} on "):
            WriterLock.check(db)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert (tmp_path / "f.duckdb.lock").exists()     # the file stays behind ...
    with WriterLock(db):                             # ... and does not block
        pass


def test_a_run_killed_before_publishing_is_recorded_as_abandoned_by_the_next(tmp_path):
    """kill -9 of a process that noted a run under the lock: the next lock holder learns the
    run's id, start and holder; a lock check or a holder that notes no run keeps the record
    for the next run; a clean release leaves none."""
    import signal
    import subprocess
    import sys

    db = tmp_path / "f.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import os, time; from factcheck.store.publish import WriterLock\n"
         f"with WriterLock({str(db)!r}) as lock:\n"
         "    lock.note_run('nightly-20261206T010000Z-abc123', '2026-12-06T01:00:00+00:00')\n"
         "    print('noted', os.getpid(), flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        said, pid = holder.stdout.readline().split()
        assert said == "noted"
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    WriterLock.check(db)
    with WriterLock(db) as other:          # say a PubMed load: it records no run
        assert other.abandoned is not None
    with WriterLock(db) as lock:
        assert lock.abandoned == ("nightly-20261206T010000Z-abc123", "2026-12-06T01:00:00+00:00",
                                  f"{pid} on {__import__('socket').gethostname()}")
        work = begin_work(db)
        from factcheck.store.db import connect
        from factcheck.store.runs import record_abandoned_run
        con = connect(work)
        assert record_abandoned_run(con, *lock.abandoned)
        assert not record_abandoned_run(con, *lock.abandoned)      # once only
        status, message = con.execute("SELECT status, message FROM runs").fetchone()
        con.close()
        lock.note_run("nightly-20261206T020000Z-def456", "2026-12-06T02:00:00+00:00")
    assert status == "abandoned" and f"({pid} on " in message
    with WriterLock(db) as after_a_clean_run:
        assert after_a_clean_run.abandoned is None


def test_publish_replaces_atomically_and_readers_keep_reading(tmp_path):
    db = tmp_path / "f.duckdb"
    with connect(db) as c:
        store_runs.start_run(c, "old", "test", [])
    reader = duckdb.connect(str(db), read_only=True)
    work = begin_work(db)
    with connect(work) as c:
        store_runs.start_run(c, "new", "test", [])
    # the published file is untouched while the working copy is written
    assert reader.execute("SELECT list(run_id) FROM runs").fetchone()[0] == ["old"]
    reader.close()
    publish(work, db)
    assert not work.exists()
    with duckdb.connect(str(db), read_only=True) as c:
        assert sorted(c.execute("SELECT list(run_id) FROM runs").fetchone()[0]) == ["new", "old"]


def test_a_batch_makes_the_same_decisions_as_one_by_one(con):
    sa.save_document(con, doc("https://a.example/old", "Old text."), "r1")
    bad = Document(source="https://a.example/bin", source_kind="url", error_kind="binary", error="binary")
    batch = [doc("https://a.example/new", "New text."), doc("https://a.example/new", "New text."),
             doc("https://b.example/copy", "New text."), doc("https://a.example/old", "Old text, edited."),
             doc("https://a.example/old", "Old text, edited twice."), bad, doc("https://a.example/old", "Old text.")]
    results = sa.save_documents(con, batch, "r2")
    assert [r and (r.version, r.is_new, bool(r.duplicate_of)) for r in results] == [
        (1, True, False), (1, False, False), (1, False, True), (2, True, False), (3, True, False),
        None, (1, False, False)]
    assert con.execute("SELECT source, latest_version, last_seen_run FROM articles ORDER BY source").fetchall() == [
        ("https://a.example/new", 1, "r2"), ("https://a.example/old", 1, "r2")]  # back to v1 last
    assert con.execute("SELECT count(*) FROM pipeline_errors WHERE error_kind = 'binary'").fetchone()[0] == 1


def test_a_page_that_goes_back_to_earlier_content_shows_that_content(con):
    url = "https://clinic.example/ketamine"
    for text in ("Ketamine cures pain.", "Ketamine may help pain.", "Ketamine cures pain."):
        sa.save_document(con, doc(url, text, "url"), "r1")
    article_id, version = con.execute("SELECT article_id, version FROM current_articles").fetchone()
    assert (version, document_text(con, article_id, version)) == (1, "Ketamine cures pain.")
    changed = sa.save_document(con, doc(url, "Ketamine relieves pain.", "url"), "r2")
    assert changed.version == 3 and changed.is_new
    # the same in one batch
    results = sa.save_documents(con, [doc(url, "Ketamine may help pain.", "url"),
                                      doc(url, "Ketamine relieves pain.", "url")], "r3")
    assert [(r.version, r.is_new) for r in results] == [(2, False), (3, False)]
    assert con.execute("SELECT latest_version FROM articles").fetchone()[0] == 3


def test_a_leftover_wal_of_the_published_file_is_folded_in_before_copying(tmp_path):
    import subprocess
    import sys

    db = tmp_path / "f.duckdb"
    with connect(db) as c:
        store_runs.start_run(c, "old", "test", [])
    # a process writes the published file in place and is killed before any checkpoint
    code = (f"import duckdb, os; c = duckdb.connect({str(db)!r}); c.execute('SET wal_autocheckpoint=\"1GB\"');"
            "c.execute(\"INSERT INTO runs (run_id, flow, started_at, status) VALUES ('killed', 't', now(), 'x')\");"
            "os._exit(9)")
    subprocess.run([sys.executable, "-c", code], check=False)
    assert (tmp_path / "f.duckdb.wal").exists()
    work = begin_work(db)
    with connect(work) as c:
        store_runs.start_run(c, "new", "test", [])
    publish(work, db)
    assert not (tmp_path / "f.duckdb.wal").exists()
    with duckdb.connect(str(db), read_only=True) as c:
        assert sorted(c.execute("SELECT list(run_id) FROM runs").fetchone()[0]) == ["killed", "new", "old"]


def test_an_edited_migration_is_reported(con, caplog):
    con.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
    with caplog.at_level("WARNING"):
        assert apply_migrations(con) == []
    assert "0001_core.sql was edited" in caplog.text


def test_many_claims_evidence_is_replaced_in_one_batch(con):
    """The evidence stage writes every judged claim's rows in a few statements: each claim ends
    with exactly its new rows and verdict, and one history row per run."""
    from factcheck.store.evidence import replace_claims_evidence
    from factcheck.store.rows import EvidenceRow, VerdictRow

    def judged(n_claims: int, n_rows: int, label: str):
        return [(f"c{i:03d}", [EvidenceRow(pmid=1000 * i + r, rank=r + 1, score=1.0 / (r + 1),
                                           on_topic=True, matched_terms=["ketamine"],
                                           quote=f"sentence {r} of claim {i}")
                               for r in range(n_rows)],
                 VerdictRow(label=label, confidence=0.7, flags=["figure_not_found"], explanation="x",
                            deciding_pmids=[1000 * i], judged_because="new_claim"))
                for i in range(n_claims)]

    replace_claims_evidence(con, judged(30, 10, "supported"), "r1")     # 300 rows: two statements
    replace_claims_evidence(con, judged(30, 3, "not_addressed"), "r2")
    assert con.execute("SELECT count(*), count(DISTINCT claim_id), max(rank) FROM evidence").fetchone() == (90, 30, 3)
    assert con.execute("SELECT DISTINCT run_id FROM evidence").fetchall() == [("r2",)]
    assert con.execute("SELECT quote FROM evidence WHERE claim_id = 'c007' ORDER BY rank").fetchall() == [
        (f"sentence {r} of claim 7",) for r in range(3)]
    assert con.execute("SELECT DISTINCT label, flags, run_id FROM verdicts").fetchall() == [
        ("not_addressed", ["figure_not_found"], "r2")]
    assert con.execute("SELECT run_id, count(*) FROM verdict_history GROUP BY 1 ORDER BY 1").fetchall() == [
        ("r1", 30), ("r2", 30)]
    with pytest.raises(ValueError):
        replace_claims_evidence(con, judged(2, 1, "supported") * 2, "r3")

    # the same run judging a claim again (a later batch) replaces its history row
    replace_claims_evidence(con, judged(2, 3, "mixed"), "r2")
    assert con.execute("SELECT run_id, count(*) FROM verdict_history GROUP BY 1 ORDER BY 1").fetchall() == [
        ("r1", 30), ("r2", 30)]
    assert con.execute("SELECT label FROM verdict_history WHERE claim_id = 'c001' AND run_id = 'r2'"
                       ).fetchall() == [("mixed",)]
    # a record named twice for one claim is refused before anything is written
    (claim_id, rows, verdict), = judged(1, 2, "supported")
    rows[1].pmid = rows[0].pmid
    with pytest.raises(ValueError, match="twice"):
        replace_claims_evidence(con, [(claim_id, rows, verdict)], "r4")
    assert con.execute("SELECT count(*) FROM evidence WHERE run_id = 'r4'").fetchone() == (0,)


def test_migration_0012_keeps_every_row_and_drops_the_two_key_indexes(tmp_path):
    """``evidence`` and ``verdict_history`` are rebuilt without their primary keys (ART indexes
    larger than the evidence itself); every row and column survives, and the views still read
    them."""
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    apply_migrations(con, upto=11)
    con.execute("INSERT INTO claims (claim_id, article_id, version, seq, sentence, start_char, end_char,"
                " claim_type, certainty, polarity, score, reason, run_id) VALUES ('c1', 'a1', 1, 0,"
                " 'Ketamine relieves pain.', 0, 23, 'efficacy', 'firm', 'positive', 0.9, 'r', 'r0')")
    con.execute("INSERT INTO evidence (claim_id, pmid, rank, score, on_topic, matched_terms, run_id,"
                " stance, p_support, p_refute, quote, quote_section, design, counts, grade, grade_note,"
                " dense_score, record_retracted) VALUES ('c1', 7, 1, 2.5, true, ['ketamine'], 'r0',"
                " 'supports', 0.8, 0.1, 'It relieved pain.', 'results', 'rct', true, 0.9, 'n', 0.4,"
                " false)")
    con.execute("INSERT INTO verdict_history VALUES ('c1', 'r0', TIMESTAMP '2026-12-01 02:00:00',"
                " 'supported', 0.8, ['overstated_certainty'], [7], 3, 'm1', 'new_claim')")
    before = {t: con.execute(f"SELECT * FROM {t}").fetchall() for t in ("evidence", "verdict_history")}
    columns = {t: con.execute("SELECT column_name, data_type, is_nullable, column_default FROM"
                              " information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                              [t]).fetchall() for t in ("evidence", "verdict_history")}
    assert apply_migrations(con)[:1] == ["0012_lean_keys.sql"]
    for table in ("evidence", "verdict_history"):
        assert con.execute(f"SELECT * FROM {table}").fetchall() == before[table]
        assert con.execute("SELECT column_name, data_type, is_nullable, column_default FROM"
                           " information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                           [table]).fetchall() == columns[table]
        assert con.execute("SELECT count(*) FROM duckdb_constraints() WHERE table_name = ? AND"
                           " constraint_type = 'PRIMARY KEY'", [table]).fetchone() == (0,)
    assert con.execute("SELECT previous_label FROM verdict_changes").fetchall() == []
    con.close()


def _text_rows(con, n=40):
    words = "ketamine relieved chronic pain in the trial of adults over twelve weeks".split()
    text = [" ".join(words[(i * 7 + j) % len(words)] for j in range(2000)) for i in range(n)]
    con.execute("CREATE TABLE notes AS SELECT unnest(?::VARCHAR[]) AS body", [text])


def test_new_files_use_the_compressing_format_and_old_ones_are_rewritten_once(tmp_path):
    """A database made by ``connect`` is in DuckDB 1.5's format, which compresses long text;
    the next run's working copy rewrites an older file into it, with every table, view and row."""
    from factcheck.store.db import STORAGE_VERSION, storage_version, version_tuple

    new = tmp_path / "new.duckdb"
    con = connect(new)
    _text_rows(con)
    con.execute("CHECKPOINT")
    compressions = {r[0] for r in con.execute("SELECT compression FROM pragma_storage_info('notes')"
                                              " WHERE column_name = 'body'").fetchall()}
    con.close()
    assert storage_version(new) == version_tuple(STORAGE_VERSION)
    assert "Uncompressed" not in compressions

    old = tmp_path / "old.duckdb"
    raw = duckdb.connect(str(old))           # DuckDB's default: the format 1.0 reads
    apply_migrations(raw, upto=11)           # before 0012, which rebuilds evidence
    _text_rows(raw)
    raw.execute("INSERT INTO evidence (claim_id, pmid, rank, score, on_topic, run_id) SELECT"
                " 'c' || (i // 10)::VARCHAR, i, i % 10 + 1, 1.0, true, 'r0' FROM range(200000) t(i)")
    raw.close()
    assert storage_version(old) < version_tuple(STORAGE_VERSION)
    assert begin_work(old).read_bytes() == old.read_bytes()        # a plain copy unless asked

    work = begin_work(old, upgrade_format=True)
    assert storage_version(work) == version_tuple(STORAGE_VERSION)
    assert work.stat().st_size < old.stat().st_size
    # migrated before it was rewritten: no free blocks of the tables 0012 rebuilt are left
    compact = tmp_path / "compact.duckdb"
    from factcheck.store.publish import rewrite

    rewrite(work, compact)
    assert work.stat().st_size <= compact.stat().st_size + 262144
    with duckdb.connect() as both:
        both.execute(f"ATTACH '{old}' AS a (READ_ONLY)")
        both.execute(f"ATTACH '{work}' AS b (READ_ONLY)")
        assert both.execute("SELECT max(version) FROM b.schema_migrations").fetchone()[0] == max(
            n for n, _, _ in migration_files())
        catalog = ("SELECT {k}, sql FROM duckdb_{t}() WHERE database_name = ? AND NOT internal"
                   " ORDER BY 1")
        query = catalog.format(k="view_name", t="views")
        assert both.execute(query, ["a"]).fetchall() == both.execute(query, ["b"]).fetchall()
        tables = [r[0] for r in both.execute("SELECT table_name FROM duckdb_tables()"
                                             " WHERE database_name = 'a'").fetchall()]
        assert "notes" in tables and "schema_migrations" in tables
        for table in (t for t in tables if t != "schema_migrations"):    # b: later migrations
            cols = ", ".join(f'"{c}"' for (c,) in both.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = 'a' AND table_name = ?",
                [table]).fetchall())
            assert both.execute(f"SELECT count(*) FROM (SELECT {cols} FROM a.{table} EXCEPT ALL"
                                f" SELECT {cols} FROM b.{table}) UNION ALL SELECT count(*) FROM"
                                f" (SELECT {cols} FROM b.{table} EXCEPT ALL SELECT {cols} FROM"
                                f" a.{table})").fetchall() == [(0,), (0,)]
        assert both.execute("SELECT count(*) FROM b.notes").fetchone() == (40,)
    publish(work, old)
    assert storage_version(old) == version_tuple(STORAGE_VERSION)
    assert begin_work(old, upgrade_format=True).read_bytes() == old.read_bytes()   # once


def test_migration_0011_clears_the_closest_sentence_of_records_off_the_topic(tmp_path):
    """Rows written before 0011 kept the closest sentence of every record read; the migration
    clears it where the record neither bears on the claim nor is on its topic, and keeps the
    rest."""
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    apply_migrations(con, upto=10)
    rows = [("c1", 1, 1, True, "supports", "it works"), ("c1", 2, 2, True, "neutral", "on topic"),
            ("c1", 3, 3, False, "neutral", "off topic"), ("c1", 4, 4, False, "refutes", "it fails"),
            ("c1", 5, 5, False, None, "no stance")]
    con.executemany("INSERT INTO evidence (claim_id, pmid, rank, score, on_topic, run_id, stance,"
                    " quote, quote_section) VALUES (?, ?, ?, 1.0, ?, 'r0', ?, ?, 'results')", rows)
    assert apply_migrations(con)[:1] == ["0011_offtopic_quotes.sql"]
    assert con.execute("SELECT pmid, quote, quote_section FROM evidence ORDER BY pmid").fetchall() == [
        (1, "it works", "results"), (2, "on topic", "results"), (3, None, None),
        (4, "it fails", "results"), (5, None, None)]
    con.close()
