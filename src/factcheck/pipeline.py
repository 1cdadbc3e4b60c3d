"""The pipeline's stages as plain functions: each takes a database path and ids, opens its
own connection, does one stage's work, and returns a dict of counts.

Prefect tasks in ``flows/`` wrap these one to one; tests and notebooks call them directly.
Every stage works on what is *pending* in the database, not on what an earlier stage handed
over in memory, so a run that died halfway is completed by the next one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from contextlib import closing
from pathlib import Path

from .settings import Settings, get_settings
from .store import articles as store_articles
from .store import claims as store_claims
from .store import runs as store_runs
from .store.runs import new_run_id  # noqa: F401  (runs are named where they are stored)
from .store.db import connect, transaction

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """Where the bundled sample data lives (``FACTCHECK_DATA_DIR`` overrides)."""
    return Path(get_settings().data_dir or REPO_ROOT / "data")


def sample_articles() -> list[Path]:
    return sorted((data_dir() / "seeds").glob("*.txt"))


def sample_pubmed() -> list[Path]:
    return sorted((data_dir() / "pubmed").glob("*.xml.gz"))


def start_run(db: str | Path, run_id: str, flow: str, inputs: Sequence[str]) -> str:
    """Record the run as running, with the models it runs with (the settings decide them:
    ``docs/settings.md``)."""
    from .claims.model import model_name
    from .evidence.assess import shipped_model_version

    with closing(connect(db)) as con:
        # named from the installed packages: loading the sentence encoder (seconds) waits
        # until a night has articles to extract (``save_extracted`` corrects the name then)
        store_runs.start_run(con, run_id, flow, [str(i) for i in inputs],
                             claims_model=model_name(load=False), stance_model=shipped_model_version())
    return run_id


def record_abandoned_run(db: str | Path, run_id: str, started_at: str, holder: str) -> bool:
    """Record a run that died before publishing (see ``WriterLock.abandoned``) in ``db``."""
    with closing(connect(db)) as con:
        return store_runs.record_abandoned_run(con, run_id, started_at, holder)


def ingest_stage(db: str | Path, inputs: Sequence[str], run_id: str, *,
                 sources_file: str | None = None, settings: Settings | None = None,
                 progress=None) -> dict:
    """Read local files and folders, fetch URLs (pages, feeds, sitemaps) and the sites of a
    sources file into article versions: one door (``factcheck.ingest.web.crawl``), whatever
    the mix, with its outcomes counted once. A local input is read as an article whatever its
    name (a ``.toml`` input is not taken for a sources file: that is ``sources_file``)."""
    from .ingest.web import SiteConfig, crawl, is_url, load_sources

    settings = settings or get_settings()
    targets: list = [str(i) for i in inputs if is_url(str(i))]
    local = [Path(i) for i in inputs if not is_url(str(i))]
    if local:
        targets.append(SiteConfig(name="local", folders=local))
    if sources_file:
        targets.append(load_sources(sources_file, settings))
    with closing(connect(db)) as con:
        summary = crawl(con, targets, run_id, settings=settings, progress=progress)
    # "documents": every input handled, failed ones included, as the run's final line counts
    # them (runs.n_documents), so the stage's mark compares its errors with the same total
    errors = summary.errors + summary.skipped           # both are in pipeline_errors
    return {"documents": summary.fetched + summary.not_modified + errors,
            "new_versions": summary.new_versions,
            "unchanged": summary.unchanged,                # downloaded or read, content already stored
            "not_modified": summary.not_modified,          # HTTP 304: nothing downloaded
            "duplicates": summary.duplicates,
            "errors": errors,
            "robots_disallowed": summary.robots_disallowed,
            "deferred": summary.deferred}                  # over a site's max_pages: the next run's


def _version_failed(con, run_id: str, source: str, article_id: str, version: int, stage: str,
                    message: str) -> None:
    """Record that ``stage`` raised on one article version, and mark the version failed."""
    with transaction(con):
        store_runs.record_error(con, run_id, source, stage, "exception", message)
        store_articles.mark_version_failed(con, article_id, version, stage, message, run_id)


# Each per-article stage is three steps, so that the middle one can fan out (``flows/nightly.py``
# maps it over batches on threads or a Dask cluster) while one process writes:
#   pending_*(db)          -> plain dicts of what to do (read from the database)
#   *_batch(items, ...)    -> results, computed without touching the database
#   save_*(db, run_id, rs) -> counts, every write in the calling process (save_cleaned, save_extracted, save_judged)
# ``clean_stage`` and ``claims_stage`` run the three in a row.

def pending_clean(db: str | Path) -> list[dict]:
    """Every article version still to clean (new in this run or left by a crashed one)."""
    from .store import raw

    out = []
    with closing(connect(db)) as con:
        rows = con.execute(
            "SELECT v.article_id, v.version, v.raw_text, v.content_hash, v.content_type, a.source,"
            " a.source_kind FROM article_versions v JOIN articles a USING (article_id)"
            " WHERE v.clean_status = 'pending' ORDER BY a.source, v.version").fetchall()
        for article_id, version, text, content_hash, content_type, source, source_kind in rows:
            item = {"article_id": article_id, "version": version, "content_type": content_type,
                    "source": source, "source_kind": source_kind}
            try:
                item["raw_text"] = raw.text_of(con, text, content_hash)
            except raw.RawDocumentError as exc:
                # a missing or damaged file fails its version's cleaning, recorded, not the
                # run (a missing raw folder, RawFolderMissing, fails the run: nothing is cleaned)
                item["raw_text"], item["raw_error"] = None, str(exc)
            out.append(item)
    return out


def _each_version(items: Sequence[dict], stage: str, work) -> list[dict]:
    """``work(item)`` (the fields of its result) for each article version; an exception is
    caught and returned as the item's ``error``: a bug on one article must not stop the run."""
    out = []
    for item in items:
        done = {k: item[k] for k in ("article_id", "version", "source")}
        try:
            done.update(work(item))
        except Exception as exc:
            log.exception("%s of %s failed", stage, item["source"])
            done["error"] = f"{type(exc).__name__}: {exc}"
        out.append(done)
    return out


def clean_batch(items: Sequence[dict]) -> list[dict]:
    """Clean each pending version; an exception is caught and returned as the item's error."""
    from .clean import clean_document

    def clean(item: dict) -> dict:
        if item.get("raw_error"):
            return {"error": f"its raw document cannot be read: {item['raw_error']}"}
        result = clean_document(item["raw_text"], item["content_type"],
                                url=item["source"] if item["source_kind"] == "url" else None)
        return {"result": result.stored()}

    return _each_version(items, "clean", clean)


def save_cleaned(db: str | Path, run_id: str, results: Sequence[dict]) -> dict:
    counts = {"cleaned": 0, "empty": 0, "errors": 0, "removed_blocks": 0}
    with closing(connect(db)) as con:
        for done in results:
            article_id, version, source = done["article_id"], done["version"], done["source"]
            if "error" in done:
                _version_failed(con, run_id, source, article_id, version, "clean", done["error"])
                counts["errors"] += 1
                continue
            result = done["result"]
            with transaction(con):
                store_articles.save_cleaned(con, article_id, version, result, run_id)
                if not result.body_text:
                    store_runs.record_error(con, run_id, source, "clean", "empty_body",
                                            result.error or "no article text left after cleaning",
                                            severity="warning")
                    counts["empty"] += 1
                else:
                    counts["cleaned"] += 1
            counts["removed_blocks"] += len(result.removed)
    return counts


def clean_stage(db: str | Path, run_id: str) -> dict:
    """Clean every article version still pending (new in this run or left by a crashed one)."""
    return save_cleaned(db, run_id, clean_batch(pending_clean(db)))


def mesh_vocabulary(con) -> list[str]:
    """The MeSH descriptor names present in the PubMed table (claims normalise to them): the
    reference's ``mesh_vocabulary``, refreshed by each load; a reference without it (a table
    written by hand) is scanned."""
    from .store.reference import reference_catalog

    catalog = reference_catalog(con)
    has_table = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND "
                            "table_name = 'mesh_vocabulary'", [catalog]).fetchone()[0]
    if has_table:
        found = [r[0] for r in con.execute("SELECT descriptor FROM mesh_vocabulary ORDER BY 1").fetchall()]
        if found:
            return found
    return [r[0] for r in con.execute(
        "SELECT DISTINCT t FROM (SELECT unnest(mesh_terms) AS t FROM pubmed) WHERE t IS NOT NULL ORDER BY 1"
    ).fetchall()]


def pending_claims(db: str | Path) -> tuple[list[dict], list[str]]:
    """Every cleaned version whose claims are still pending, and the MeSH vocabulary."""
    with closing(connect(db)) as con:
        rows = con.execute(
            "SELECT v.article_id, v.version, v.body_text, a.source FROM article_versions v"
            " JOIN articles a USING (article_id)"
            " WHERE v.clean_status = 'ok' AND v.claims_status = 'pending'"
            " ORDER BY a.source, v.version").fetchall()
        vocabulary = mesh_vocabulary(con) if rows else []
    return [dict(zip(("article_id", "version", "body_text", "source"), r)) for r in rows], vocabulary


def claims_batch(items: Sequence[dict], vocabulary: Sequence[str] = ()) -> list[dict]:
    """Extract each version's claims (bounded per article); exceptions are returned as errors.
    Each result names the claim model that extracted it (``model``)."""
    from .claims.limits import bounded_claims
    from .claims.model import model_name

    used = model_name() if items else None    # loads what extraction uses (where it runs)

    def extract(item: dict) -> dict:
        found, cuts = bounded_claims(item["body_text"] or "", mesh_vocabulary=list(vocabulary) or None)
        return {"claims": found, "cuts": cuts, "model": used}

    return _each_version(items, "claims", extract)


def save_extracted(db: str | Path, run_id: str, results: Sequence[dict]) -> dict:
    counts = {"versions": 0, "claims": 0, "errors": 0}
    with closing(connect(db)) as con:
        used = sorted({done["model"] for done in results if done.get("model")})
        if used:
            # the model extraction used, once loaded (the run's start named it cheaply)
            store_runs.set_claims_model(con, run_id, " | ".join(used))
        for done in results:
            article_id, version, source = done["article_id"], done["version"], done["source"]
            if "error" in done:
                _version_failed(con, run_id, source, article_id, version, "claims", done["error"])
                counts["errors"] += 1
                continue
            with transaction(con):
                counts["claims"] += store_claims.save_claims(con, article_id, version, done["claims"], run_id)
                for kind, message in done["cuts"]:
                    store_runs.record_error(con, run_id, source, "claims", kind, message,
                                            severity="warning")
            counts["versions"] += 1
    return counts


def claims_stage(db: str | Path, run_id: str) -> dict:
    """Extract claims from every cleaned version whose claims are still pending."""
    items, vocabulary = pending_claims(db)
    return save_extracted(db, run_id, claims_batch(items, vocabulary))


def pubmed_stage(db: str | Path, files: Iterable[str | Path], run_id: str, progress=None,
                 kind: str = "load") -> dict:
    """Load PubMed XML files into the reference file of ``db`` (``factcheck.reference.load_reference``:
    its own lock, copy, checks and atomic publish; a file already loaded is skipped) and record
    the load's problems in this run's ``pipeline_errors``."""
    from .reference import load_reference
    from .store.reference import reference_path

    files = [Path(f) for f in files]
    if not files:
        return {"files": 0}
    reference = reference_path(db)
    loaded = load_reference(reference, files, kind=kind)
    summary = loaded.summary
    with closing(connect(db)) as con, transaction(con):
        for result in summary.files:
            if result.status == "failed":
                store_runs.record_error(con, run_id, result.path, "pubmed", "load",
                                        result.error or "the file failed to load")
            elif result.skipped_records:
                store_runs.record_error(con, run_id, result.path, "pubmed", "records_skipped",
                                        result.error or f"{result.skipped_records} records skipped",
                                        severity="warning")
        if summary.fts_error:
            store_runs.record_error(con, run_id, "fts_main_pubmed", "pubmed", "index",
                                    summary.fts_error)
        if loaded.status == "rejected":
            store_runs.record_error(con, run_id, str(reference), "pubmed", "dq_failed",
                                    "the reference's data-quality checks failed; nothing was "
                                    f"published (copy kept as {loaded.rejected}): "
                                    + "; ".join(loaded.checks.get("failures", []))[:1800])
    return {"files": len(files), "inserted": summary.inserted, "updated": summary.updated,
            "deleted": summary.deleted, "retracted": summary.retracted, "errors": summary.errors
            + (loaded.status == "rejected"), "embedded": loaded.embedded, "reference": loaded.status}


def plan_evidence(db: str | Path, run_id: str, claim_ids: Sequence[str] | None = None,
                  rejudge_all: bool = False, progress=None) -> dict:
    """What the evidence stage must do: the current claims to judge (each with why), those whose
    verdict is kept, and what judging needs. Drops the evidence of deleted records, builds a
    missing full-text index and embeds records without a vector where the database holds its
    own reference (an attached reference file is read-only).

    Returns plain values: ``todo`` (dicts: ``claim``, ``reason``, and for the reason ``check``
    the ``pmids`` and ``coverage`` its verdict rests on), ``kept`` (how many keep theirs), ``claims``,
    ``claim_ids`` (the scope asked for, None: every current claim), ``ready`` (the reference
    has its index), ``use_vectors``, ``model_version``, and counts."""
    from .evidence import vectors
    from .evidence.assess import model_version
    from .evidence.stance import default_model
    from .store.evidence import carry_verdicts, drop_evidence_of_missing_records, verdicts_to_judge
    from .store.publish import published_path
    from .store.reference import ReferenceUnavailable, attached, holds_reference, reference_path

    version = model_version(default_model())
    plan: dict = {"todo": [], "kept": 0, "claims": 0, "model_version": version, "counts": {},
                  "claim_ids": None if claim_ids is None else list(claim_ids)}
    with closing(connect(db)) as con:
        from .evidence.retrieve import index_ready

        writable = holds_reference(con)   # a database holding its own reference (writable)
        problem = None
        if not index_ready(con):
            from .store.pubmed import rebuild_fts_index

            if not con.execute("SELECT count(*) FROM pubmed").fetchone()[0]:
                problem = "is empty or missing"
            elif writable:
                rebuild_fts_index(con)
            else:
                problem = "has no full-text index (`factcheck pubmed load --reindex` builds it)"
        ready = plan["ready"] = index_ready(con)
        if problem:
            where = attached(con) or db
            published = published_path(db)
            if problem == "is empty or missing" and not writable:
                # the empty stand-in in the temporary folder is attached: name the file that is
                # looked for, not the stand-in
                expected = reference_path(published)
                where = expected if expected is not None else where
                problem = ("is missing" if expected is None or not expected.exists() else "is empty")
            resting = con.execute("SELECT count(*) FROM evidence").fetchone()[0]
            if resting:
                # a reference file moved, not mounted or not named (FACTCHECK_REFERENCE_DB) must
                # not turn every stored verdict into 'no_coverage'
                raise ReferenceUnavailable(
                    f"the PubMed reference {where} {problem}, but {resting:,} evidence rows of this"
                    " database rest on it: nothing was judged. Load it (`factcheck pubmed load`) or"
                    " point FACTCHECK_REFERENCE_DB at the reference file")
            log.warning("the PubMed reference %s %s: every claim will get 'no_coverage'; load PubMed"
                        " files into it with `factcheck pubmed load FILE --db %s`, or point"
                        " FACTCHECK_REFERENCE_DB at a reference file", where, problem, published)
        # the reference the plan reads: what it found changed (or not) is as of this; a claim it
        # keeps after a check is stamped with it, never with a newer file a load published
        # while the claims were being judged (whose changed records it did not look at)
        plan["reference_as_of"] = con.execute("SELECT max(loaded_at) FROM pubmed").fetchone()[0]
        if claim_ids is None and not rejudge_all:
            # an edited article's sentences that did not change keep their verdicts: copied
            # here, then planned as any kept verdict (a load since is checked, a retraction
            # re-judges)
            with transaction(con):
                carried = carry_verdicts(con, run_id, version)
            plan["counts"]["carried"] = len(carried)
        else:
            carried = []
        # what changed, read before the rows of deleted records go; only the claims to judge
        # are read out of the database
        state, plan["claims"] = verdicts_to_judge(
            con, version, claim_ids, records_ready=ready,
            requested=claim_ids is not None or rejudge_all)
        if ready:
            with transaction(con):
                plan["counts"]["evidence_of_deleted_records"] = drop_evidence_of_missing_records(con)
        # what judging reads: the reference file, opened by itself (None: db holds its own)
        found = None if writable else attached(con)
        plan["reference"] = str(found) if found else None
        claims = store_claims.load_claims(con, "claim_id IN (SELECT unnest(?::VARCHAR[]))",
                                          [list(state)]) if state else []
        for claim in claims:
            known = state[claim.claim_id]
            item = {"claim": claim, "reason": known["reason"]}
            if known["reason"] == "check":
                item.update(pmids=sorted(known["pmids"]), coverage=known["coverage"])
            plan["todo"].append(item)
        # kept as they were: not judged, not planned, not carried tonight (counted apart)
        planned = {item["claim"].claim_id for item in plan["todo"]}
        plan["kept"] = plan["claims"] - len(plan["todo"]) - len(set(carried) - planned)
        # the encoder (seconds to import and load) only when a claim is to be judged; a
        # database holding its own reference embeds its records without a vector then too (a
        # reference file embeds them when it is loaded)
        use_vectors = plan["use_vectors"] = bool(plan["todo"]) and ready and vectors.available()
        if use_vectors and writable:
            plan["counts"]["records_embedded"] = vectors.embed_records(con, progress=progress)
    return plan


def judge_batch(db: str | Path, items: Sequence[dict], *, ready: bool, use_vectors: bool,
                model_version: str, reference: str | None = None, top_k: int | None = None,
                progress=None) -> list[dict]:
    """Judge each planned claim against the reference file ``reference`` (opened read-only by
    itself; None: ``db`` holds its own, and is opened read-only): retrieve, read with the stance
    model, grade, decide. Judging reads nothing of the analyst database, so batches can run in
    other threads or processes while no one writes it. A claim planned for a
    ``check`` whose retrieval finds the same records and coverage as its verdict is returned as
    kept. Writes nothing; returns ``{"claim_id", "reason", "rows", "verdict"}`` per claim
    (``reason`` None: kept)."""
    from .evidence.stance import default_model
    from .store.reference import connect_reference

    top_k = top_k or get_settings().evidence_top_k
    model = default_model()
    opened = connect_reference(reference, read_only=True) if reference else connect(db, read_only=True)
    with closing(opened) as con:
        if model.threads > 1:
            # the stance model reads on every core while a claim is retrieved (one claim
            # ahead): DuckDB's own worker threads would only contend with it for the cores
            # (the demo's 96 claims: retrieval 4.0 s of CPU on one thread, 6.1 s on two, for
            # the same wall time). The setting is the database instance's, which other
            # connections to the same file in this process share: reset below.
            con.execute("SET threads = 1")
        try:
            out = _judge_items(con, items, ready=ready, use_vectors=use_vectors, model=model,
                               model_version=model_version, top_k=top_k, progress=progress)
        finally:
            if model.threads > 1:
                con.execute("RESET threads")
    return out


def _judge_items(con, items: Sequence[dict], *, ready: bool, use_vectors: bool, model,
                 model_version: str, top_k: int, progress=None) -> list[dict]:
    """``judge_batch``'s work on an open reference connection."""
    from .evidence import vectors
    from .evidence.assess import assess_claims, claim_facts_of, records_to_read
    from .evidence.retrieve import IndexTerms
    from .evidence.verdict import decide

    out: list[dict] = []
    terms = IndexTerms(con)      # the index's terms of the batch's words, each looked up once
    # the reference this connection reads (a load published meanwhile is a newer file, which
    # another connection would see): each verdict judged here is stamped with it
    as_of = con.execute("SELECT max(loaded_at) FROM pubmed").fetchone()[0]
    # claims retrieved and judged per step (vectors are encoded a step at a time)
    batch = 32
    for start in range(0, len(items), batch):
        chunk = items[start:start + batch]
        chunk_vectors = (vectors.encode([i["claim"].query_text or i["claim"].sentence for i in chunk])
                         if use_vectors else None)
        done: list[dict] = []
        for n, item in enumerate(chunk):
            claim, reason = item["claim"], item["reason"]
            vector = chunk_vectors[n].tolist() if chunk_vectors is not None else None
            if reason == "check":
                _, hits, _, n_topic = records_to_read(con, claim, k=top_k, vector=vector, terms=terms)
                changed = {h.pmid for h in hits} != set(item["pmids"]) or n_topic != item["coverage"]
                reason = "new_records" if changed else None
            done.append({"claim_id": claim.claim_id, "reason": reason, "claim": claim,
                         "vector": vector})
        to_judge = [d for d in done if d["reason"] is not None]
        if ready:
            assessments = assess_claims(con, [d["claim"] for d in to_judge], k=top_k, model=model,
                                        vectors=[d["vector"] for d in to_judge], terms=terms)
            judged = [(a.rows, a.verdict_row(model_version)) for a in assessments]
        else:
            judged = [([], decide([], claim_facts_of(d["claim"]), coverage=0)) for d in to_judge]
        for d, (rows, verdict) in zip(to_judge, judged):
            verdict.model_version = model_version
            verdict.judged_because = d["reason"]
            verdict.reference_as_of = as_of
            d.update(rows=rows, verdict=verdict)
        for d in done:
            del d["claim"], d["vector"]
            out.append(d)
            if progress is not None:
                progress()
    return out


def save_judged(db: str | Path, run_id: str, plan: dict, judged: Sequence[dict]) -> dict:
    """Write the judged claims' evidence and verdicts, mark the kept ones as checked by this
    run, and return the stage's counts, all within the plan's scope (``plan["claim_ids"]``)."""
    from .store.evidence import mark_checked, replace_claims_evidence, stamp_reference, verdict_counts

    counts: dict[str, int] = {"claims": plan["claims"], "judged": 0, "unchanged": 0, **plan["counts"]}
    # claims to judge whose retrieval check found nothing changed: kept, stamped with the
    # reference the plan read (what it found unchanged is as of that; a file published later
    # is never older than it)
    checked: dict[str, object] = {}
    replaced = []
    for done in judged:
        reason = done["reason"]
        if reason is None:
            checked[done["claim_id"]] = plan.get("reference_as_of")
            continue
        replaced.append((done["claim_id"], done["rows"], done["verdict"]))
        counts["judged"] += 1
        counts[f"because_{reason}"] = counts.get(f"because_{reason}", 0) + 1
    # every claim of the plan's scope is kept but those judged now, and those meant to be
    # judged and not (a failed batch): marked in the database, never listed here
    not_kept = [item["claim"].claim_id for item in plan["todo"] if item["claim"].claim_id not in checked]
    with closing(connect(db)) as con:
        with transaction(con):
            replace_claims_evidence(con, replaced, run_id)
            mark_checked(con, run_id, claim_ids=plan["claim_ids"], except_ids=not_kept)
            stamp_reference(con, checked)
        counts["unchanged"] = plan["kept"] + len(checked)
        counts.update(verdict_counts(con, plan["claim_ids"]))
    return counts


def evidence_stage(db: str | Path, run_id: str, top_k: int | None = None, progress=None,
                   claim_ids: Sequence[str] | None = None, rejudge_all: bool = False) -> dict:
    """Retrieve, read and judge the evidence of the current claims whose verdict may have
    changed, and decide their verdicts; keep the others.

    A claim is judged again (``verdicts.judged_because``) when it is new, when its verdict was
    made by another stance model or rules version, when a record it read was since deleted,
    replaced or retracted, or when records loaded since its verdict change which records it
    retrieves or how many cover its topic (retrieval is cheap; reading is not). Every other
    verdict is kept and marked as checked by this run. ``claim_ids`` judges exactly those
    claims again (after ``fetch_evidence_stage``); ``rejudge_all`` every current claim.
    With the ``embed`` extra, when there are claims to judge, records still without a vector
    are embedded first (where the database holds its own reference). The three steps
    (:func:`plan_evidence`, :func:`judge_batch`, :func:`save_judged`) are what the flow fans out.
    """
    plan = plan_evidence(db, run_id, claim_ids, rejudge_all, progress=progress)
    tick = None
    if progress is not None:
        task = progress.add_task("evidence", total=plan["claims"], completed=plan["kept"])

        def tick() -> None:
            progress.update(task, advance=1)
    judged = judge_batch(db, plan["todo"], ready=plan["ready"], use_vectors=plan["use_vectors"],
                         model_version=plan["model_version"], reference=plan["reference"],
                         top_k=top_k, progress=tick)
    return save_judged(db, run_id, plan, judged)


def fetch_evidence_stage(db: str | Path, run_id: str, *, api_key: str | None = None,
                         email: str | None = None, base_url: str | None = None,
                         per_claim: int | None = None, per_run: int | None = None,
                         cache_dir: str | Path | None = None) -> dict:
    """For the claims left at ``no_coverage`` or ``not_addressed``, fetch the trials,
    systematic reviews and meta-analyses on their intervention and condition from NCBI's
    E-utilities, load them into the reference table, and judge those claims again.

    Network failures are recorded in ``pipeline_errors`` (stage ``fetch_evidence``) and the run
    goes on with the verdicts it has. Returns counts, and ``claim_ids`` re-judged.
    """
    from .evidence.fetch import PER_CLAIM, PER_RUN, queries_for
    from .pubmed.eutils import EUTILS_BASE, EutilsClient, EutilsError, fetch_to_files

    per_claim = per_claim or PER_CLAIM
    per_run = per_run or PER_RUN
    base_url = base_url or get_settings().eutils_base or EUTILS_BASE
    cache = Path(cache_dir) if cache_dir else Path(db).resolve().parent / "pubmed_fetch"
    counts = {"claims": 0, "queries": 0, "files": 0, "inserted": 0, "errors": 0}
    with closing(connect(db)) as con:
        claims = store_claims.load_claims(
            con, "claim_id IN (SELECT claim_id FROM verdicts WHERE label IN "
                 "('no_coverage', 'not_addressed')) AND coalesce(attribution, 'own') <> 'rejected'")
    queries = queries_for(claims)
    counts["claims"] = sum(len(q.claim_ids) for q in queries)
    refused = eutils_refusal(base_url)
    if refused and queries:
        counts["errors"] += 1
        with closing(connect(db)) as con, transaction(con):
            store_runs.record_error(con, run_id, base_url, "fetch_evidence", "blocked_address",
                                    refused)
        return counts
    files: list[Path] = []
    answers: list[tuple[list[Path], list[str]]] = []   # each query's files and its claims
    budget = per_run
    try:
        with EutilsClient(api_key=api_key, email=email, base_url=base_url) as client:
            for q in queries:
                if budget <= 0:
                    break
                try:
                    got = fetch_to_files(client, q.query, cache, max_records=min(per_claim, budget))
                except EutilsError as exc:
                    counts["errors"] += 1
                    with closing(connect(db)) as con, transaction(con):
                        store_runs.record_error(con, run_id, q.query, "fetch_evidence", "eutils",
                                                str(exc)[:2000])
                    continue
                counts["queries"] += 1
                budget -= per_claim
                files += got
                answers.append((got, q.claim_ids))
    except Exception as exc:  # a client that cannot even start must not stop the run
        counts["errors"] += 1
        with closing(connect(db)) as con, transaction(con):
            store_runs.record_error(con, run_id, base_url, "fetch_evidence", "eutils",
                                    f"{type(exc).__name__}: {exc}"[:2000])
    # a query whose answer is, file for file, one already loaded brings nothing new: its claims
    # keep their verdicts (the nightly run asks the same questions every night)
    touched = _claims_with_new_answers(db, answers)
    if files:
        loaded = pubmed_stage(db, files, run_id, kind="fetch")
        counts["files"] = loaded["files"]
        counts["inserted"] = loaded.get("inserted", 0)
    if touched:
        judged = evidence_stage(db, run_id, claim_ids=sorted(set(touched)))
        counts["rejudged"] = judged["judged"]
        counts.update({f"now_{k}": v for k, v in judged.items()
                       if k in ("supported", "contradicted", "mixed", "not_addressed", "no_coverage")})
    return counts


def _claims_with_new_answers(db: str | Path, answers: Sequence[tuple[Sequence[Path], Sequence[str]]]
                             ) -> list[str]:
    """The claims of the queries that fetched at least one file the reference has not loaded
    (by sha256, as the loader itself skips files already loaded)."""
    from .pubmed.load import sha256_of
    from .store.pubmed import file_already_loaded

    touched: set[str] = set()
    if not answers:
        return []
    with closing(connect(db)) as con:
        for got, claim_ids in answers:
            if any(file_already_loaded(con, sha256_of(path)) is None for path in got):
                touched.update(claim_ids)
    return sorted(touched)


def eutils_refusal(url: str) -> str | None:
    """Why ``url``'s host may not be fetched (the crawler's guard: a loopback or private address
    outside FACTCHECK_ALLOWED_NETWORKS, unless FACTCHECK_ALLOW_PRIVATE_NETWORKS=1; a link-local
    or metadata address always); ``None`` when it may. The E-utilities base is NCBI's
    unless an operator points FACTCHECK_EUTILS_BASE at a mirror."""
    import socket
    from urllib.parse import urlsplit

    from .ingest.web.guard import BlockedAddressError, parse_networks, refusal

    settings = get_settings()
    host = urlsplit(url).hostname or ""
    try:
        allowed = parse_networks(settings.allowed_networks)
    except ValueError as exc:
        return str(exc)
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError as exc:
        return f"cannot resolve {host}: {exc}"
    for address in sorted(addresses):
        refused = refusal(address, settings.allow_private_networks, allowed)
        if refused:
            return str(BlockedAddressError(host, address, *refused))
    return None


def quality_stage(db: str | Path, run_id: str) -> dict:
    """Run the data-quality suites over the rows this run wrote (every row with
    ``FACTCHECK_DQ_SCOPE=all``, or when the checks or the schema changed since the last run
    that validated every row) and the drift checks against the previous published run, and
    record every result in ``dq_results`` (and this run's metrics in ``run_metrics``)."""
    from .quality.checks import EVERY_ROW, CheckResult, checks_digest, run_checks, scope_setting
    from .store.quality import last_full_check
    from .quality.drift import check_drift
    from .store.quality import save_dq_results, save_run_metrics

    scope = scope_setting()
    with closing(connect(db)) as con:
        digest = checks_digest(con)
        previous = last_full_check(con, EVERY_ROW)
        every_row = scope == "all" or previous != digest
        report = run_checks(con, run_id=None if every_row else run_id)
        if every_row:
            why = ("FACTCHECK_DQ_SCOPE=all" if scope == "all" else "no run validated every row yet"
                   if previous is None else "the checks or the schema changed since the last run that did")
            report.results.append(CheckResult("(every table)", EVERY_ROW, None, True, "warning",
                                              json.dumps({"digest": digest, "why": why})))
        metrics, drift = check_drift(con, run_id)
        report.results.extend(drift)
        for warning in (r for r in drift if not r.success):
            log.warning("distribution drift: %s %s %s", warning.expectation, warning.column, warning.observed)
        with transaction(con):
            save_dq_results(con, run_id, report.results)
            save_run_metrics(con, run_id, metrics)
    return report.summary()


def finish_run(db: str | Path, run_id: str, status: str, *, dq_passed: bool | None = None,
               message: str | None = None) -> dict:
    """Close the run's row with its final counts, computed from the database."""
    with closing(connect(db)) as con:
        n_documents = con.execute("SELECT count(*) FROM articles WHERE last_seen_run = ?", [run_id]).fetchone()[0]
        counts = {
            "n_documents": n_documents + con.execute(
                "SELECT count(*) FROM pipeline_errors WHERE run_id = ? AND stage = 'ingest'"
                " AND severity = 'error'", [run_id]).fetchone()[0],
            "n_new_versions": con.execute("SELECT count(*) FROM article_versions WHERE run_id = ?",
                                          [run_id]).fetchone()[0],
            "n_claims": con.execute("SELECT count(*) FROM claims WHERE run_id = ?", [run_id]).fetchone()[0],
            "n_flagged": con.execute("SELECT count(*) FROM flagged_claims").fetchone()[0],
            "n_errors": con.execute("SELECT count(*) FROM pipeline_errors WHERE run_id = ?"
                                    " AND severity = 'error'", [run_id]).fetchone()[0],
        }
        store_runs.finish_run(con, run_id, status, counts=counts, dq_passed=dq_passed, message=message)
    return counts


def record_unpublished_run(db: str | Path, rejected_db: str | Path, run_id: str) -> None:
    """Add a failed or rejected run's record (its ``runs`` row, errors and data-quality
    results) to the published database, itself published by the usual copy and rename."""
    from .store.publish import begin_work, publish

    work = begin_work(db)
    with closing(connect(work)) as con:
        store_runs.copy_run_records(con, str(rejected_db), run_id)
    publish(work, db)


class ReportFolderTaken(RuntimeError):
    """The folder a run would write its report into holds something else."""


def publish_run(work: str | Path, db: str | Path, out_dir: str | Path, run_id: str) -> dict:
    """Mark the run completed, write its report from the working copy, and put the database
    and the report in place together.

    The report and ``claims.jsonl`` are built into ``out_dir/.report-<run>`` first; the old
    ones are taken away just before the database is renamed into place, and the new ones
    moved in just after. A run killed at any point leaves the old database with its old
    report, or a database without a report (the next run writes it), never a report of
    another run beside the database. Staging folders of killed runs are removed."""
    import shutil

    from .report.build import build_report, foreign_report_folder
    from .store.publish import publish
    from .store.triage import TriageError, load_decisions, triage_path

    out = Path(out_dir)
    foreign = foreign_report_folder(out)
    if foreign is not None:
        raise ReportFolderTaken(
            f"{foreign} exists and is not a factcheck report: nothing was published (the run's "
            "copy is kept); move it, or give the run another --out folder")
    out.mkdir(parents=True, exist_ok=True)
    for leftover in out.glob(".report-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        decisions = load_decisions(triage_path(db), strict=True)
    except TriageError as exc:
        # the report would show every decided flag open again: said where the run's errors are
        decisions = {}
        with closing(connect(work)) as con, transaction(con):
            store_runs.record_error(con, run_id, str(triage_path(db)), "report", "triage",
                                    f"{exc}; the report shows every flag as open until it can be read")
    finish_run(work, run_id, "completed", dq_passed=True)
    staging = out / f".report-{run_id}"
    with closing(connect(work, read_only=True)) as con:
        staged = build_report(con, staging, run_id, decisions=decisions, previous=out / "report")
    html, jsonl = out / "report", out / "claims.jsonl"
    shutil.rmtree(html, ignore_errors=True)
    jsonl.unlink(missing_ok=True)
    publish(work, db)
    staged.html.parent.replace(html)
    staged.jsonl.replace(jsonl)
    shutil.rmtree(staging, ignore_errors=True)
    return {"html": str(html / staged.html.name), "jsonl": str(jsonl)}


#: At most this many articles are listed in a run's summary (those it stored or judged).
SUMMARY_ARTICLES = 20


def summary(db: str | Path, run_id: str) -> dict:
    """A one-screen summary of a run, read from the published database: the articles the run
    stored a version of or judged claims of (at most :data:`SUMMARY_ARTICLES`, and how many in
    all), the labels of every current claim, and the inputs that failed (the first 50, and how
    many in all)."""
    from .report.build import article_title

    with closing(connect(db, read_only=True)) as con:
        run = con.execute("SELECT status, n_documents, n_new_versions, n_claims, n_flagged, n_errors,"
                          " dq_passed FROM runs WHERE run_id = ?", [run_id]).fetchone()
        labels = dict(con.execute("SELECT label, count(*) FROM current_claims JOIN verdicts USING"
                                  " (claim_id) GROUP BY label").fetchall())
        # the articles this run touched: a version stored, or claims judged (a nightly run over
        # a large database must not print every stored article)
        # the articles this run touched: a version stored, or claims judged (a nightly run over
        # a large database must not print every stored article); the first few, and how many
        articles = con.execute(f"""
            SELECT source, title, n_claims, n_flagged, n_removed,
                   (SELECT left(body_text, 400) FROM current_articles ca
                    WHERE ca.article_id = s.article_id), count(*) OVER ()
            FROM article_summary s WHERE s.article_id IN (
                SELECT article_id FROM article_versions WHERE run_id = ?
                UNION SELECT c.article_id FROM current_claims c JOIN verdicts v USING (claim_id)
                WHERE v.run_id = ?)
            ORDER BY source LIMIT {SUMMARY_ARTICLES}""", [run_id, run_id]).fetchall()
        n_articles = articles[0][-1] if articles else 0
        # titled as the report titles them (the page's own, else the first line of the text)
        articles = [(source, article_title(title, head), *counts)
                    for source, title, *counts, head, _ in articles]
        n_current = con.execute("SELECT count(*) FROM current_claims").fetchone()[0]
        pubmed = con.execute("SELECT count(*) FROM pubmed").fetchone()[0]
        input_errors = con.execute("SELECT count(*) FROM pipeline_errors WHERE run_id = ? AND "
                                   "stage = 'ingest' AND severity = 'error'", [run_id]).fetchone()[0]
        # every input or URL that failed in this run, with its reason (errors first recorded
        # by a stage, then fetches refused or failed that no stage recorded; a robots.txt that
        # failed is recorded by the crawler when it matters, and a refused one stands beside
        # the page refused with it)
        failures = con.execute("""
            SELECT source, error_kind, message, count(*) OVER () FROM (
                SELECT source, error_kind, message, created_at AS t, 0 AS k FROM pipeline_errors
                WHERE run_id = ? AND severity = 'error'
                UNION ALL
                SELECT url, error_kind, error, fetched_at, 1 FROM fetch_log
                WHERE run_id = ? AND outcome = 'error' AND kind <> 'robots'
                  AND url NOT IN (SELECT source FROM pipeline_errors WHERE run_id = ?))
            ORDER BY k, t LIMIT 50""", [run_id, run_id, run_id]).fetchall()
        n_failures = failures[0][-1] if failures else 0
    keys = ["status", "n_documents", "n_new_versions", "n_claims", "n_flagged", "n_errors", "dq_passed"]
    row = dict(zip(keys, run)) if run else {}
    if row:
        row["n_input_errors"] = input_errors   # inputs that could not be stored (of n_documents)
    return {"run": row, "labels": labels, "current_claims": n_current, "pubmed_records": pubmed,
            "failures": [dict(zip(["source", "kind", "message"], f[:3])) for f in failures],
            "n_failures": n_failures, "n_articles": n_articles,
            "articles": [dict(zip(["source", "title", "n_claims", "n_flagged", "n_removed"], a))
                         for a in articles]}
