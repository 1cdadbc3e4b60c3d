"""Loading PubMed files into a real DuckDB database: upserts, versions, deletions,
retractions, per-file transactions, idempotency and the BM25 index."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from factcheck.pubmed.load import load_files
from factcheck.store import pubmed as store
from factcheck.store.db import connect


@pytest.fixture
def con(tmp_path: Path):
    con = connect(tmp_path / "f.duckdb")
    yield con
    con.close()


def snapshot(con) -> list[tuple]:
    """Every stored record, all columns but loaded_at, in PMID order."""
    return con.execute(
        "SELECT * EXCLUDE (loaded_at) FROM pubmed ORDER BY pmid").fetchall()


def row(con, pmid: int) -> dict:
    cur = con.execute("SELECT * FROM pubmed WHERE pmid = ?", [pmid])
    names = [d[0] for d in cur.description]
    found = cur.fetchone()
    return dict(zip(names, found)) if found else {}


def search(con, query: str) -> list[int]:
    return [r[0] for r in con.execute(
        "SELECT pmid FROM (SELECT pmid, fts_main_pubmed.match_bm25(pmid, ?) AS s FROM pubmed) "
        "WHERE s IS NOT NULL ORDER BY s DESC", [query]).fetchall()]


def test_real_nlm_files_load_with_counts_and_log(con, nlm_baseline: Path, nlm_update: Path):
    summary = load_files(con, [nlm_baseline, nlm_update], workers=0)
    assert summary.n_records == 26 + 22
    # 30271887 appears in versions 1 to 4: one row, the highest version
    assert summary.inserted == 26 + 19
    assert summary.errors == 0 and summary.n_failed == 0
    assert row(con, 30271887)["pmid_version"] == 4
    assert con.execute("SELECT count(*) FROM pubmed").fetchone()[0] == 45
    retracted = {r[0] for r in con.execute("SELECT pmid FROM pubmed WHERE is_retracted").fetchall()}
    assert {27602157, 31031480, 32743968, 33104149} <= retracted
    assert row(con, 27602157)["retraction_in"] == [34093767]
    nejm = row(con, 34097368)
    assert nejm["source_file"] == "nlm_update_cut.xml.gz"
    assert nejm["doi"] == "10.1056/NEJMoa2028564"
    assert row(con, 399319)["pub_date"] == "1979 Jul-Sep"
    assert row(con, 409837)["study_design"] == "animal"
    log = con.execute("SELECT file_name, status, n_records, inserted, error FROM pubmed_files "
                      "ORDER BY loaded_at").fetchall()
    assert log == [("nlm_baseline_cut.xml.gz", "loaded", 26, 26, None),
                   ("nlm_update_cut.xml.gz", "loaded", 22, 19, None)]
    assert summary.fts_rebuilt
    assert 409837 in search(con, "ketamine self-administration monkey")[:1]


def test_loading_the_same_file_twice_changes_nothing(con, nlm_update: Path, tmp_path: Path):
    load_files(con, [nlm_update], workers=0)
    before = snapshot(con)
    again = load_files(con, [nlm_update], workers=0)
    assert [f.status for f in again.files] == ["skipped"]
    assert again.files[0].error is None and "already loaded" in again.files[0].note
    # a renamed copy has the same sha256 and is skipped too
    copy = tmp_path / "renamed.xml.gz"
    shutil.copy(nlm_update, copy)
    assert load_files(con, [copy]).files[0].status == "skipped"
    # forcing the reload goes through the merge, which finds nothing to change
    forced = load_files(con, [nlm_update], force=True, workers=0)
    assert (forced.inserted, forced.updated, forced.unchanged) == (0, 0, 19)
    assert snapshot(con) == before
    assert con.execute("SELECT count(*) FROM pubmed_files").fetchone()[0] == 2


def test_update_file_revises_versions_deletes_and_retracts(con, articles_xml: Path, update_xml: Path):
    first = load_files(con, [articles_xml], workers=0)
    assert (first.inserted, first.errors, first.retracted) == (6, 1, 1)  # 1 skipped article
    assert "PMID is not a number" in first.files[0].error
    assert row(con, 900003)["is_retracted"]
    assert row(con, 900003)["retraction_in"] == [900009]

    summary = load_files(con, [update_xml], workers=0)
    # new: 900020 (notice) and 900021; updated: 900001 (same version, new content), 900002 (v2)
    assert (summary.inserted, summary.updated, summary.deleted) == (2, 2, 1)
    assert row(con, 900001)["title"].endswith("(corrected).")
    assert row(con, 900001)["source_file"] == "update.xml"
    assert row(con, 900002)["pmid_version"] == 2
    assert row(con, 900004) == {}, "DeleteCitation removes the row"
    # the notice in the update marks the article it retracts
    assert row(con, 900005)["is_retracted"] and row(con, 900005)["retraction_in"] == [900020]
    assert summary.retracted == 1
    assert row(con, 900021)["study_design"] == "observational"
    # the index follows the table: the deleted meta-analysis is no longer found
    assert 900004 not in search(con, "depression meta-analysis")
    assert search(con, "recreational urinary")[:1] == [900021]


def test_an_older_version_never_replaces_a_newer_one(con, update_xml: Path, articles_xml: Path):
    load_files(con, [update_xml], workers=0)  # 900002 version 2 first
    summary = load_files(con, [articles_xml], workers=0)  # then version 1
    assert row(con, 900002)["pmid_version"] == 2
    assert row(con, 900002)["title"].endswith("Version 2.")
    assert summary.files[0].unchanged >= 1


def test_retraction_notice_loaded_before_the_article(con, tmp_path: Path, update_xml: Path,
                                                     articles_xml: Path):
    load_files(con, [update_xml], workers=0)
    assert row(con, 900005) == {}
    load_files(con, [articles_xml], workers=0)
    assert row(con, 900005)["is_retracted"]
    assert row(con, 900005)["retraction_in"] == [900020]


def test_failing_file_leaves_the_table_as_it_was(con, articles_xml: Path, nlm_update: Path,
                                                tmp_path: Path):
    load_files(con, [articles_xml], workers=0)
    before = snapshot(con)
    data = nlm_update.read_bytes()
    truncated = tmp_path / "pubmed21n9999.xml.gz"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    malformed = tmp_path / "malformed.xml"
    malformed.write_bytes(gzip.decompress(data).replace(b"</ArticleTitle>", b"</Title>", 7))
    summary = load_files(con, [truncated, malformed], workers=0)
    assert [f.status for f in summary.files] == ["failed", "failed"]
    assert "truncated" in summary.files[0].error and "malformed XML" in summary.files[1].error
    assert summary.errors == 2
    assert snapshot(con) == before
    failed = con.execute("SELECT file_name, error FROM pubmed_files WHERE status = 'failed' "
                         "ORDER BY file_name").fetchall()
    assert [f[0] for f in failed] == ["malformed.xml", "pubmed21n9999.xml.gz"]
    assert all(f[1] for f in failed)


def test_database_error_halfway_rolls_the_file_back(con, articles_xml: Path, update_xml: Path,
                                                   monkeypatch):
    load_files(con, [articles_xml], workers=0)
    before = snapshot(con)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # records are merged, then applying the DeleteCitation fails: nothing of the file stays
    monkeypatch.setattr(store, "delete_citations", broken)
    summary = load_files(con, [update_xml], workers=0)
    assert summary.files[0].status == "failed"
    assert "disk full" in summary.files[0].error
    assert snapshot(con) == before
    monkeypatch.undo()
    assert load_files(con, [update_xml], workers=0).files[0].status == "loaded"


def test_missing_file_is_recorded_and_the_others_load(con, tmp_path: Path, articles_xml: Path):
    summary = load_files(con, [tmp_path / "absent.xml.gz", articles_xml], workers=0)
    assert [f.status for f in summary.files] == ["failed", "loaded"]
    assert "absent.xml.gz: cannot read" in summary.files[0].error


def test_parallel_workers_give_the_same_table(tmp_path: Path, nlm_baseline: Path,
                                              nlm_update: Path, articles_xml: Path):
    results = []
    for workers in (0, 2):
        with connect(tmp_path / f"w{workers}.duckdb") as con:
            bad = tmp_path / "bad.xml"
            bad.write_text("<PubmedArticleSet><PubmedArticle>", encoding="utf-8")
            summary = load_files(con, [nlm_baseline, bad, nlm_update, articles_xml],
                                 workers=workers)
            results.append(([f.status for f in summary.files], summary.as_dict(), snapshot(con)))
    assert results[0] == results[1]
    assert results[1][0] == ["loaded", "failed", "loaded", "loaded"]


def test_rebuild_fts_index_directly(con, articles_xml: Path):
    load_files(con, [articles_xml], rebuild=False, workers=0)
    with pytest.raises(Exception):
        search(con, "ketamine")
    store.rebuild_fts_index(con)
    hits = search(con, "NMDA receptor antagonist")
    assert hits[0] == 900001
    # MeSH qualifiers and chemicals are searchable through mesh_text
    assert 900005 in search(con, "chemically induced cystitis")


def test_memory_cap_applies_during_the_load_only(con, articles_xml: Path, monkeypatch):
    con.execute("SET memory_limit = '1GiB'")
    before = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    seen = []
    load_files(con, [articles_xml], workers=0, memory_limit="128MB",
               progress=lambda r: seen.append(
                   con.execute("SELECT current_setting('memory_limit')").fetchone()[0]))
    assert seen == ["122.0 MiB"]  # DuckDB prints 128 MB in MiB
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == before


def test_out_of_memory_fails_the_file_with_a_hint(con, nlm_update: Path):
    summary = load_files(con, [nlm_update], workers=0, memory_limit="4MB")
    assert summary.files[0].status == "failed"
    assert "raise DuckDB's memory limit" in summary.files[0].error
    assert summary.fts_error and not summary.fts_rebuilt  # the index build failed too: reported
    assert summary.errors == 2
    assert con.execute("SELECT count(*) FROM pubmed").fetchone()[0] == 0


def test_fast_index_build_scores_exactly_like_the_extension(con, nlm_baseline: Path,
                                                           nlm_update: Path, articles_xml: Path):
    load_files(con, [nlm_baseline, nlm_update, articles_xml], rebuild=False, workers=0)
    queries = ["ketamine", "NMDA receptor antagonist", "randomized trial pemphigus rituximab",
               "Guillain-Barré", "chemically induced cystitis", "lung cancer proliferation"]

    def scores():
        out = []
        for q in queries:
            out.append(con.execute(
                "SELECT pmid, s FROM (SELECT pmid, fts_main_pubmed.match_bm25(pmid, ?) AS s "
                "FROM pubmed) WHERE s IS NOT NULL ORDER BY pmid", [q]).fetchall())
        out.append(con.execute(
            "SELECT pmid, fts_main_pubmed.match_bm25(pmid, 'ketamine monkey', fields := 'title',"
            " conjunctive := true) AS s FROM pubmed WHERE s IS NOT NULL ORDER BY pmid").fetchall())
        return out

    store.rebuild_fts_index(con, method="extension")
    reference = scores()
    store.rebuild_fts_index(con)
    fast = scores()
    assert sum(len(r) for r in reference) > 30
    for ref, got in zip(reference, fast):
        assert [p for p, _ in ref] == [p for p, _ in got]
        assert [s for _, s in got] == pytest.approx([s for _, s in ref], rel=1e-12)
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'fts_main_pubmed'").fetchall()}
    # the extension's tables, the build record, and the postings the evidence stage searches
    assert tables == {"docs", "terms", "dict", "fields", "stats", "stopwords", "build_info", "postings"}
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '%probe%'"
                       ).fetchone()[0] == 0


def test_a_crashed_parsing_process_fails_its_file_only(con, monkeypatch, articles_xml: Path,
                                                       update_xml: Path):
    import subprocess
    import sys

    from factcheck.pubmed import load as load_module

    real_start = load_module._start_worker

    def start(path, out_dir):
        if path.name == "update.xml":  # this one dies the way an OOM-killed process would
            return subprocess.Popen([sys.executable, "-c", "import os; os._exit(137)"])
        return real_start(path, out_dir)

    monkeypatch.setattr(load_module, "_start_worker", start)
    summary = load_files(con, [articles_xml, update_xml], workers=2)
    assert [f.status for f in summary.files] == ["loaded", "failed"]
    assert "the parsing process exited with code 137" in summary.files[1].error
    assert con.execute("SELECT count(*) FROM pubmed").fetchone()[0] == 6


def test_refreshing_the_index_scores_like_a_full_rebuild(con, nlm_baseline: Path, nlm_update: Path,
                                                        articles_xml: Path, update_xml: Path):
    first = load_files(con, [nlm_baseline, articles_xml], workers=0)
    assert first.fts_mode == "rebuilt"
    # the update revises 900001/900002, deletes 900004, adds records: only those are re-indexed
    second = load_files(con, [nlm_update, update_xml], workers=0)
    assert second.fts_mode == "refreshed"
    queries = ["ketamine", "NMDA receptor antagonist", "depression meta-analysis",
               "corrected ketamine infusion", "randomized trial pemphigus rituximab"]

    def scores():
        return [con.execute("SELECT pmid, s FROM (SELECT pmid, fts_main_pubmed.match_bm25(pmid, ?)"
                            " AS s FROM pubmed) WHERE s IS NOT NULL ORDER BY pmid", [q]).fetchall()
                for q in queries]

    refreshed = scores()
    assert 900004 not in {p for hits in refreshed for p, _ in hits}
    assert 900001 in {p for p, _ in refreshed[3]}
    docs = con.execute("SELECT count(*) FROM fts_main_pubmed.docs").fetchone()[0]
    assert docs == con.execute("SELECT count(*) FROM pubmed").fetchone()[0]
    store.rebuild_fts_index(con)
    rebuilt = scores()
    for got, ref in zip(refreshed, rebuilt):
        assert [p for p, _ in got] == [p for p, _ in ref]
        assert [v for _, v in got] == pytest.approx([v for _, v in ref], rel=1e-12)
    assert store.refresh_fts_index(con) == "unchanged"


def test_fast_tokenizer_finds_the_extension_macros_words(con, articles_xml: Path):
    # the index is built with a regex-free tokenizer; it is used only when it agrees with the
    # extension's macro on tricky strings, and on real titles and abstracts it does
    load_files(con, [articles_xml], workers=0)
    assert store._fast_tokenizer_agrees(con)
    fast = store._fast_tokens_sql("x")
    rows = con.execute(
        f"SELECT list_filter(fts_main_pubmed.tokenize(x), w -> len(w) > 0) "
        f"= list_filter({fast}, w -> len(w) > 0) FROM (SELECT title || ' ' || coalesce(abstract, '') "
        "|| ' Guillain-Barré İL-6 “x” a\u00a0b' AS x FROM pubmed)").fetchall()
    assert rows and all(r[0] for r in rows)


def test_an_unknown_extension_tokenizer_is_used_as_it_is(con, articles_xml: Path, caplog):
    load_files(con, [articles_xml], workers=0)
    con.execute("CREATE OR REPLACE MACRO fts_main_pubmed.tokenize(s) AS string_split(lower(s), ' ')")
    assert not store._fast_tokenizer_agrees(con)
    assert "tokenizes differently" in caplog.text


def test_an_older_nlm_file_loaded_again_does_not_undo_a_later_one(con, articles_xml: Path,
                                                                   update_xml: Path, tmp_path: Path):
    """A baseline file loaded again after an update file (``--force``, or the same file
    unzipped: another sha256) neither brings back the records the update deleted nor puts back
    the text the update revised at the same version. A later file may bring a record back."""
    baseline = tmp_path / "pubmed24n0001.xml"
    update = tmp_path / "pubmed24n0002.xml"
    shutil.copy(articles_xml, baseline)
    shutil.copy(update_xml, update)
    load_files(con, [baseline, update], workers=0)
    assert row(con, 900004) == {} and row(con, 900001)["title"].endswith("(corrected).")
    before = snapshot(con)

    forced = load_files(con, [baseline], force=True, workers=0)
    assert (forced.inserted, forced.updated) == (0, 0)
    unzipped = tmp_path / "unzipped" / "pubmed24n0001.xml"   # the same records, another sha256
    unzipped.parent.mkdir()
    unzipped.write_bytes(baseline.read_bytes() + b"\n")
    assert load_files(con, [unzipped], workers=0).files[0].status == "loaded"
    assert snapshot(con) == before
    assert con.execute("SELECT deleted_in FROM pubmed_deleted WHERE pmid = 900004"
                       ).fetchall() == [("pubmed24n0002.xml",)]

    # the update loaded again deletes nothing more; a later file that holds the record again
    # brings it back and clears its deletion
    later = tmp_path / "pubmed24n0003.xml"
    later.write_bytes(baseline.read_bytes() + b"\n\n")   # another sha256
    back = load_files(con, [later], workers=0)
    assert back.inserted == 1 and row(con, 900004)["source_file"] == "pubmed24n0003.xml"
    assert not con.execute("SELECT count(*) FROM pubmed_deleted WHERE pmid = 900004").fetchone()[0]
    # ... and, being later than the update, its text of 900001 (the baseline's) wins
    assert not row(con, 900001)["title"].endswith("(corrected).")


def test_a_file_outside_nlms_sequence_is_applied_as_it_comes(con, articles_xml: Path,
                                                            update_xml: Path):
    """Files not named as NLM's (E-utilities answers, a user's file) have no known order: each
    is applied as it comes, the last one loaded winning at the same version (as before)."""
    load_files(con, [articles_xml, update_xml], workers=0)
    assert row(con, 900004) == {}
    again = load_files(con, [articles_xml], force=True, workers=0)
    assert again.inserted == 1 and row(con, 900004)
    assert not con.execute("SELECT count(*) FROM pubmed_deleted WHERE pmid = 900004").fetchone()[0]
