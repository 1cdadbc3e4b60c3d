"""Data-quality checks on every stage's table, run with Great Expectations before publishing.

Each table has a suite: a SQL query that produces the frame to validate (derived columns
such as ``offset_ok`` are computed there, in DuckDB) and a list of expectations, each with a
severity. An ``error`` failure blocks publishing; a ``warning`` is recorded only. Great
Expectations validates pandas frames (its SQLAlchemy route returns empty results on DuckDB)
and is imported only here, because its import costs seconds.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any

import duckdb

log = logging.getLogger(__name__)

PUBMED_SAMPLE_ROWS = 100_000
CLEAN_STATUSES = ["pending", "ok", "empty", "error"]
STANCES = ["supports", "refutes", "neutral"]
ATTRIBUTIONS = ["own", "reported", "rejected"]
#: Why the evidence stage (re)computed a verdict (``verdicts.judged_because``; NULL before 0005).
JUDGED_BECAUSE = ["requested", "new_claim", "model_changed", "evidence_changed", "new_records",
                  "carried"]


@dataclass
class Check:
    expectation: str          # a Great Expectations expectation class name
    kwargs: dict[str, Any]
    severity: str = "error"   # error blocks publishing; warning is recorded only


@dataclass
class Suite:
    table: str
    query: str                # may hold ``{scope}``: the condition below, or TRUE for every row
    checks: list[Check]
    #: The rows one run wrote (``$run_id``); None: the suite always reads what ``query`` reads.
    scope: str | None = None
    #: Columns naming a row, shown beside each failing value (``partial_unexpected_index_list``).
    ids: tuple[str, ...] = ()

    def sql(self, run_id: str | None) -> tuple[str, dict]:
        """The query over every row (``run_id`` None), or over the rows of run ``run_id``."""
        if self.scope is None or run_id is None:
            return self.query.replace("{scope}", "TRUE"), {}
        return self.query.replace("{scope}", f"({self.scope})"), {"run_id": run_id}


def suites() -> list[Suite]:
    """The checks, table by table (what each protects is in docs/schema.md, "Data-quality
    checks").

    What the schema guarantees is not checked again (primary keys, UNIQUE and NOT NULL
    columns): a check that cannot fail protects nothing. Every computed true/false column is
    ``coalesce(…, false)``: Great Expectations skips missing values, so a NULL (a missing body,
    a claim whose version is gone) would otherwise pass. A number must be finite as well as in
    range, for the same reason (NaN is missing to it)."""
    from ..claims import CERTAINTIES, CLAIM_TYPES, POLARITIES
    from ..evidence import FLAGS, LABELS
    from ..pubmed import DESIGNS

    return [
        Suite("articles",
              "SELECT a.article_id, a.source_kind, a.latest_version,"
              # the version the views show is one stored (not always the highest: a page back
              # to earlier content points at that version again)
              " EXISTS (SELECT 1 FROM article_versions av WHERE av.article_id = a.article_id"
              "  AND av.version = a.latest_version) AS latest_ok"
              " FROM articles a WHERE {scope}", [
            Check("ExpectColumnValuesToBeInSet", {"column": "source_kind", "value_set": ["file", "url"]}),
            Check("ExpectColumnValuesToBeBetween", {"column": "latest_version", "min_value": 1}),
            Check("ExpectColumnValuesToBeInSet", {"column": "latest_ok", "value_set": [True]}),
        ], "a.article_id IN (SELECT article_id FROM article_versions WHERE run_id = $run_id)",
            ("article_id",)),
        Suite("article_versions",
              "SELECT article_id, version, content_hash, clean_status, raw_bytes,"
              " coalesce(clean_status <> 'ok' OR length(body_text) > 0, false) AS body_ok"
              " FROM article_versions WHERE {scope}", [
            Check("ExpectColumnValuesToMatchRegex", {"column": "content_hash", "regex": "^[0-9a-f]{64}$"}),
            Check("ExpectColumnValuesToBeInSet", {"column": "clean_status", "value_set": CLEAN_STATUSES}),
            Check("ExpectColumnValuesToBeInSet", {"column": "body_ok", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "clean_status", "value_set": ["ok"],
                                                  "mostly": 0.5}, "warning"),
        ], "(run_id = $run_id OR cleaned_run_id = $run_id)", ("article_id", "version")),
        Suite("removed_blocks", "SELECT article_id, version, kind, text, reason FROM removed_blocks"
              " WHERE {scope}", [
            Check("ExpectColumnValueLengthsToBeBetween", {"column": "text", "min_value": 1}),
        ], "(article_id, version) IN (SELECT article_id, version FROM article_versions"
           " WHERE cleaned_run_id = $run_id)", ("article_id", "version")),
        Suite("claims",
              "SELECT c.claim_id, c.article_id, c.version, c.claim_type, c.certainty, c.polarity,"
              " c.score, coalesce(isfinite(c.score), false) AS score_finite, c.start_char,"
              " coalesce(c.attribution, 'own') AS attribution, c.end_char,"
              # the sentence is the stored body's own text at its offsets (a claim whose
              # version or body is missing fails too)
              " coalesce(substr(v.body_text, c.start_char + 1, c.end_char - c.start_char) = c.sentence,"
              "  false) AS offset_ok"
              " FROM claims c LEFT JOIN article_versions v USING (article_id, version)"
              " WHERE {scope}", [
            Check("ExpectColumnValuesToBeInSet", {"column": "claim_type", "value_set": list(CLAIM_TYPES)}),
            Check("ExpectColumnValuesToBeInSet", {"column": "certainty", "value_set": list(CERTAINTIES)}),
            Check("ExpectColumnValuesToBeInSet", {"column": "polarity", "value_set": list(POLARITIES)}),
            Check("ExpectColumnValuesToBeInSet", {"column": "attribution", "value_set": ATTRIBUTIONS}),
            Check("ExpectColumnValuesToBeBetween", {"column": "score", "min_value": 0, "max_value": 1}),
            Check("ExpectColumnValuesToBeInSet", {"column": "score_finite", "value_set": [True]}),
            Check("ExpectColumnPairValuesAToBeGreaterThanB", {"column_A": "end_char", "column_B": "start_char"}),
            Check("ExpectColumnValuesToBeInSet", {"column": "offset_ok", "value_set": [True]}),
        ], "c.run_id = $run_id", ("claim_id",)),
        # The reference table can hold tens of millions of rows (pmid is its primary key, so
        # uniqueness holds by construction): validate a fixed sample, not the whole table.
        Suite("pubmed", "SELECT pmid, title, pub_year, study_design, is_retracted FROM pubmed"
              f" USING SAMPLE reservoir({PUBMED_SAMPLE_ROWS} ROWS) REPEATABLE (42)", [
            Check("ExpectColumnValuesToBeInSet", {"column": "study_design", "value_set": list(DESIGNS)}),
            Check("ExpectColumnValuesToNotBeNull", {"column": "title", "mostly": 0.99}, "warning"),
            Check("ExpectColumnValuesToBeBetween", {"column": "pub_year", "min_value": 1800,
                                                    "max_value": 2100, "mostly": 0.99}, "warning"),
        ], ids=("pmid",)),
        Suite("evidence",
              "SELECT e.claim_id, e.pmid, e.rank, e.score, (p.pmid IS NOT NULL) AS pmid_known,"
              " (c.claim_id IS NOT NULL) AS claim_known, e.stance, e.p_support, e.p_refute,"
              # probabilities are numbers (NaN is not); a row of a current claim's verdict
              # (the scheme with stances) was read or glanced at: it has a stance
              " coalesce((e.p_support IS NULL OR isfinite(e.p_support))"
              "  AND (e.p_refute IS NULL OR isfinite(e.p_refute)), false) AS probabilities_finite,"
              " (e.stance IS NOT NULL OR cur.claim_id IS NULL) AS stance_known,"
              # a record that supports or refutes a claim quotes the sentence that says so, and
              # every quote is a sentence (not a word) of the record's own text: as it is now,
              # for a current claim (an earlier version's claim read a record a later PubMed
              # file may have replaced)
              " coalesce(CASE WHEN e.quote IS NULL THEN e.stance IS NULL OR e.stance = 'neutral'"
              "  ELSE length(trim(e.quote)) > 0 AND (cur.claim_id IS NULL OR"
              "   strpos(coalesce(p.title, '') || ' ' || coalesce(p.abstract, ''), e.quote) > 0) END,"
              "  false) AS quote_ok,"
              # a retracted record never counts: retracted when it was read, or now, for a
              # current claim (which a retraction makes the evidence stage judge again; an
              # earlier version's claim is never judged again)
              " NOT (coalesce(e.counts, false) AND (coalesce(e.record_retracted, false) OR"
              "  (coalesce(p.is_retracted, false) AND cur.claim_id IS NOT NULL))) AS retracted_ok"
              " FROM evidence e LEFT JOIN pubmed p USING (pmid) LEFT JOIN claims c USING (claim_id)"
              " LEFT JOIN (SELECT claim_id FROM current_claims) cur USING (claim_id)"
              " WHERE {scope}", [
            Check("ExpectCompoundColumnsToBeUnique", {"column_list": ["claim_id", "pmid"]}),
            Check("ExpectCompoundColumnsToBeUnique", {"column_list": ["claim_id", "rank"]}),
            Check("ExpectColumnValuesToBeBetween", {"column": "rank", "min_value": 1}),
            Check("ExpectColumnValuesToBeInSet", {"column": "pmid_known", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "claim_known", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "stance", "value_set": STANCES}),
            Check("ExpectColumnValuesToBeInSet", {"column": "stance_known", "value_set": [True]}),
            Check("ExpectColumnValuesToBeBetween", {"column": "p_support", "min_value": 0, "max_value": 1}),
            Check("ExpectColumnValuesToBeBetween", {"column": "p_refute", "min_value": 0, "max_value": 1}),
            Check("ExpectColumnValuesToBeInSet", {"column": "probabilities_finite", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "quote_ok", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "retracted_ok", "value_set": [True]}),
        ], "e.run_id = $run_id", ("claim_id", "pmid")),
        _verdict_suite(list(FLAGS), list(LABELS)),
        Suite("verdict_history", "SELECT claim_id, run_id FROM verdict_history WHERE {scope}", [
            # one row per claim and run (a claim judged again by the same run replaces its row)
            Check("ExpectCompoundColumnsToBeUnique", {"column_list": ["claim_id", "run_id"]}),
        ], "run_id = $run_id", ("claim_id", "run_id")),
    ]


def _verdict_suite(flag_names: list[str], labels: list[str]) -> Suite:
    quoted = ", ".join("'" + f.replace("'", "''") + "'" for f in flag_names)
    return Suite(
        "verdicts",
        "SELECT cc.claim_id, v.label, v.confidence, (v.claim_id IS NOT NULL) AS has_verdict,"
        " (v.claim_id IS NULL OR coalesce(isfinite(v.confidence), false)) AS confidence_finite,"
        f" coalesce(len(list_filter(v.flags, f -> NOT list_contains([{quoted}], f))), 0) AS unknown_flags,"
        # each flag once, each with a reason in words
        " (v.claim_id IS NULL OR coalesce(len(v.flags) = len(v.flag_reasons)"
        "  AND len(list_distinct(v.flags)) = len(v.flags)"
        "  AND len(list_filter(v.flag_reasons, r -> length(trim(coalesce(r, ''))) = 0)) = 0, false))"
        "  AS reasons_ok,"
        # a claim the article reports and rejects is never flagged
        " NOT (coalesce(cc.attribution, 'own') = 'rejected' AND coalesce(len(v.flags), 0) > 0)"
        "  AS rejected_ok,"
        # supported / contradicted / mixed rest on records of the claim's own evidence that can
        # count, are not retracted and say what the label says; the other labels rest on none
        " (v.claim_id IS NULL OR coalesce(CASE WHEN v.label IN ('supported', 'contradicted', 'mixed')"
        "  THEN len(v.deciding_pmids) > 0 AND NOT EXISTS ("
        "   SELECT 1 FROM unnest(v.deciding_pmids) AS d(pmid) WHERE NOT EXISTS ("
        "    SELECT 1 FROM evidence e LEFT JOIN pubmed p ON p.pmid = e.pmid"
        "    WHERE e.claim_id = v.claim_id AND e.pmid = d.pmid AND coalesce(e.counts, false)"
        "     AND NOT coalesce(p.is_retracted, false)"
        "     AND e.stance IN ('supports', 'refutes')"
        "     AND (v.label = 'mixed' OR e.stance = CASE v.label WHEN 'supported' THEN 'supports'"
        "          ELSE 'refutes' END)))"
        "  ELSE len(coalesce(v.deciding_pmids, [])) = 0 END, false)) AS deciding_ok,"
        # the counts shown beside the label are those of its evidence rows
        " (v.claim_id IS NULL OR coalesce(v.scheme, 1) < 2 OR coalesce("
        "  v.n_supporting = (SELECT count(*) FROM evidence e WHERE e.claim_id = v.claim_id"
        "   AND e.stance = 'supports' AND coalesce(e.counts, false))"
        "  AND v.n_refuting = (SELECT count(*) FROM evidence e WHERE e.claim_id = v.claim_id"
        "   AND e.stance = 'refutes' AND coalesce(e.counts, false)), false)) AS counts_ok,"
        # made by the model the run that wrote it recorded
        " (v.claim_id IS NULL OR r.stance_model IS NULL OR v.model_version IS NOT DISTINCT FROM"
        "  r.stance_model) AS model_ok,"
        " v.judged_because,"
        # the verdict in force is the last one its history holds
        " (v.claim_id IS NULL OR EXISTS (SELECT 1 FROM verdict_history h WHERE h.claim_id = v.claim_id"
        "  AND h.run_id = v.run_id AND h.label = v.label AND h.flags IS NOT DISTINCT FROM v.flags"
        "  AND h.confidence IS NOT DISTINCT FROM v.confidence"
        "  AND h.model_version IS NOT DISTINCT FROM v.model_version)) AS history_ok"
        " FROM current_claims cc LEFT JOIN verdicts v USING (claim_id)"
        " LEFT JOIN runs r ON r.run_id = v.run_id WHERE {scope}",
        [
            Check("ExpectColumnValuesToBeInSet", {"column": "has_verdict", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "label", "value_set": labels}),
            Check("ExpectColumnValuesToBeBetween", {"column": "confidence", "min_value": 0, "max_value": 1}),
            Check("ExpectColumnValuesToBeInSet", {"column": "confidence_finite", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "unknown_flags", "value_set": [0]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "reasons_ok", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "rejected_ok", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "deciding_ok", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "counts_ok", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "model_ok", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "judged_because", "value_set": JUDGED_BECAUSE}),
            Check("ExpectColumnValuesToBeInSet", {"column": "history_ok", "value_set": [True]}),
        ],
        # every current claim lacking a verdict is in any run's scope
        "(v.claim_id IS NULL OR v.run_id = $run_id)", ("claim_id",))


@dataclass
class CheckResult:
    table: str
    expectation: str
    column: str | None
    success: bool
    severity: str
    observed: str


@dataclass
class QualityReport:
    results: list[CheckResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.success for r in self.results if r.severity == "error")

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if not r.success]

    def summary(self) -> dict:
        """passed, checks, failed_errors, failed_warnings and the blocking failures in words."""
        failures = [f"{r.table}.{r.column or ''} {r.expectation}: {r.observed}" for r in self.failures
                    if r.severity == "error"]
        return {"passed": self.passed, "checks": len(self.results), "failed_errors": len(failures),
                "failed_warnings": sum(1 for r in self.failures if r.severity == "warning"),
                "failures": failures}


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def _check_for(checks: list[Check], gx_type: str, kwargs: dict) -> Check:
    """The check a Great Expectations result belongs to (results are not in suite order)."""
    for check in checks:
        if _snake(check.expectation) == gx_type and all(
                kwargs.get(k) == v for k, v in check.kwargs.items()):
            return check
    raise LookupError(f"no check for {gx_type} {kwargs}")


def _observed(result: dict) -> str:
    """What a result observed: counts (``missing_count``: values Great Expectations skipped as
    missing), a sample of failing values and the rows holding them (by the suite's ``ids``)."""
    keep = {k: result[k] for k in ("observed_value", "element_count", "unexpected_count",
                                   "missing_count", "partial_unexpected_list") if k in result}
    rows = result.get("partial_unexpected_index_list")
    if rows:
        keep["rows"] = rows[:5]
    return json.dumps(keep, default=str)[:700]


#: ``FACTCHECK_DQ_SCOPE``: what a run's checks read.
SCOPES = ("run", "all")
#: The result a run records when it validated every row, with :func:`checks_digest` in its
#: ``observed``: a later run whose digest is the same validates only its own rows.
EVERY_ROW = "every_row_checked"


def scope_setting() -> str:
    """``FACTCHECK_DQ_SCOPE``, checked (a typo fails the run before it starts any work)."""
    from ..settings import DQ_SCOPE_ENV, get_settings

    scope = get_settings().dq_scope
    if scope not in SCOPES:
        raise ValueError(f"{DQ_SCOPE_ENV}={scope!r}: expected one of {', '.join(SCOPES)}")
    return scope


def checks_digest(con: duckdb.DuckDBPyConnection) -> str:
    """What the checks are: every suite's query and expectations, and the database's schema
    version. A run validates every row when this differs from the last run that did, so a
    new expectation, or a migration that rewrote rows without stamping them, reaches the
    rows stored before it."""
    import hashlib

    from ..store.db import schema_version

    return hashlib.sha256(f"{suites()!r}|{schema_version(con)}".encode()).hexdigest()[:16]


#: The ``expectation`` recorded for a suite that had no rows to validate (a run that wrote
#: none of its table's rows; an empty table under ``factcheck dq --check``).
NO_ROWS = "no_rows_to_validate"

_warm_up: threading.Thread | None = None


def warm_up() -> None:
    """Start importing Great Expectations in a background thread (its import costs about three
    seconds of one core), so that it is ready when a run reaches its checks; the import itself
    is Python's, so ``run_checks`` simply finds the modules loaded or waits for them."""
    global _warm_up
    if _warm_up is None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

        def load() -> None:
            try:
                import great_expectations  # noqa: F401
            except Exception:     # run_checks imports it again and reports the problem
                log.debug("warming up Great Expectations failed", exc_info=True)

        _warm_up = threading.Thread(target=load, name="gx-warm-up")
        _warm_up.start()


def run_checks(con: duckdb.DuckDBPyConnection, only: list[str] | None = None,
               run_id: str | None = None) -> QualityReport:
    """Validate each table's frame with its suite; return every expectation's outcome.

    With ``run_id``, each suite reads only the rows that run wrote (the article versions it
    stored or cleaned, their articles and removed blocks, its claims, evidence and verdicts,
    and every current claim still without a verdict), so a nightly run's checks cost what its new input costs,
    not what the stored history does; rows of earlier runs were checked when those runs
    published them. Without it every row is read (``factcheck dq --check``).

    The ``pubmed`` suite runs only where the connection's own database holds the table: an
    attached reference file was checked when it was published (``factcheck.reference.load_reference``)."""
    from ..store.reference import holds_reference

    own_reference = holds_reference(con)
    report = QualityReport()
    frames = []
    for suite in suites():
        if only and suite.table not in only:
            continue
        if suite.table == "pubmed" and not own_reference:
            continue
        query, params = suite.sql(run_id)
        frame = con.execute(query, params).df()
        if frame.empty:
            # nothing of this table to validate (a run that wrote none of its rows): recorded,
            # under a name that says so, not as an expectation that passed
            report.results.append(CheckResult(suite.table, NO_ROWS, None, True, "warning",
                                              json.dumps({"observed_value": 0})))
        else:
            frames.append((suite, frame))
    if frames:   # a run with nothing new never pays for Great Expectations' import
        _validate(frames, report)
    for failure in report.failures:
        log.warning("data-quality %s failed: %s.%s %s %s", failure.severity, failure.table,
                    failure.column, failure.expectation, failure.observed)
    return report


def _validate(frames: list[tuple[Suite, Any]], report: QualityReport) -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # GX sets this module's logger to INFO at import, and it then logs the temporary docs
    # folder of every ephemeral context: noise on each run
    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("factcheck")
    for suite, frame in frames:
        batch = (source.add_dataframe_asset(suite.table)
                 .add_batch_definition_whole_dataframe("all")
                 .get_batch(batch_parameters={"dataframe": frame}))
        gx_suite = gx.ExpectationSuite(name=f"factcheck_{suite.table}")
        for check in suite.checks:
            gx_suite.add_expectation(getattr(gxe, check.expectation)(**check.kwargs))
        fmt: dict = {"result_format": "SUMMARY"}
        if suite.ids:
            fmt["unexpected_index_column_names"] = list(suite.ids)
        outcome = batch.validate(gx_suite, result_format=fmt)
        for res in outcome.results:
            check = _check_for(suite.checks, res.expectation_config.type, res.expectation_config.kwargs)
            kwargs = check.kwargs
            column = kwargs.get("column") or ",".join(kwargs.get("column_list") or []) or (
                f"{kwargs.get('column_A')}>{kwargs.get('column_B')}" if "column_A" in kwargs else None)
            report.results.append(CheckResult(suite.table, check.expectation, column,
                                              bool(res.success), check.severity,
                                              _observed(dict(res.result or {}))))
