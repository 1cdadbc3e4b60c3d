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

    def sql(self, run_id: str | None) -> tuple[str, dict]:
        """The query over every row (``run_id`` None), or over the rows of run ``run_id``."""
        if self.scope is None or run_id is None:
            return self.query.replace("{scope}", "TRUE"), {}
        return self.query.replace("{scope}", f"({self.scope})"), {"run_id": run_id}


def suites() -> list[Suite]:
    """The checks, table by table (what each protects is in docs/schema.md)."""
    from ..claims import CERTAINTIES, POLARITIES
    from ..evidence import FLAGS, LABELS
    from ..pubmed import DESIGNS

    return [
        Suite("articles", "SELECT * FROM articles WHERE {scope}", [
            Check("ExpectColumnValuesToBeUnique", {"column": "article_id"}),
            Check("ExpectColumnValuesToBeUnique", {"column": "source"}),
            Check("ExpectColumnValuesToBeInSet", {"column": "source_kind", "value_set": ["file", "url"]}),
            Check("ExpectColumnValuesToBeBetween", {"column": "latest_version", "min_value": 1}),
        ], "article_id IN (SELECT article_id FROM article_versions WHERE run_id = $run_id)"),
        Suite("article_versions",
              "SELECT article_id, version, content_hash, clean_status, raw_bytes,"
              " (clean_status <> 'ok' OR length(body_text) > 0) AS body_ok FROM article_versions"
              " WHERE {scope}", [
            Check("ExpectCompoundColumnsToBeUnique", {"column_list": ["article_id", "version"]}),
            Check("ExpectCompoundColumnsToBeUnique", {"column_list": ["article_id", "content_hash"]}),
            Check("ExpectColumnValuesToMatchRegex", {"column": "content_hash", "regex": "^[0-9a-f]{64}$"}),
            Check("ExpectColumnValuesToBeInSet", {"column": "clean_status", "value_set": CLEAN_STATUSES}),
            Check("ExpectColumnValuesToBeInSet", {"column": "body_ok", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "clean_status", "value_set": ["ok"],
                                                  "mostly": 0.5}, "warning"),
        ], "(run_id = $run_id OR cleaned_run_id = $run_id)"),
        Suite("removed_blocks", "SELECT kind, text, reason FROM removed_blocks WHERE {scope}", [
            Check("ExpectColumnValuesToNotBeNull", {"column": "kind"}),
            Check("ExpectColumnValuesToNotBeNull", {"column": "reason"}),
            Check("ExpectColumnValueLengthsToBeBetween", {"column": "text", "min_value": 1}),
        ], "(article_id, version) IN (SELECT article_id, version FROM article_versions"
           " WHERE cleaned_run_id = $run_id)"),
        Suite("claims",
              "SELECT c.claim_id, c.claim_type, c.certainty, c.polarity, c.score, c.start_char,"
              " coalesce(c.attribution, 'own') AS attribution,"
              " c.end_char, substr(v.body_text, c.start_char + 1, c.end_char - c.start_char) = c.sentence"
              " AS offset_ok FROM claims c JOIN article_versions v USING (article_id, version)"
              " WHERE {scope}", [
            Check("ExpectColumnValuesToBeUnique", {"column": "claim_id"}),
            Check("ExpectColumnValuesToNotBeNull", {"column": "claim_type"}),
            Check("ExpectColumnValuesToBeInSet", {"column": "certainty", "value_set": list(CERTAINTIES)}),
            Check("ExpectColumnValuesToBeInSet", {"column": "polarity", "value_set": list(POLARITIES)}),
            Check("ExpectColumnValuesToBeInSet", {"column": "attribution", "value_set": ATTRIBUTIONS}),
            Check("ExpectColumnValuesToBeBetween", {"column": "score", "min_value": 0, "max_value": 1}),
            Check("ExpectColumnPairValuesAToBeGreaterThanB", {"column_A": "end_char", "column_B": "start_char"}),
            Check("ExpectColumnValuesToBeInSet", {"column": "offset_ok", "value_set": [True]}),
        ], "c.run_id = $run_id"),
        # The reference table can hold tens of millions of rows (pmid is its primary key, so
        # uniqueness holds by construction): validate a fixed sample, not the whole table.
        Suite("pubmed", "SELECT pmid, title, pub_year, study_design, is_retracted FROM pubmed"
              f" USING SAMPLE reservoir({PUBMED_SAMPLE_ROWS} ROWS) REPEATABLE (42)", [
            Check("ExpectColumnValuesToNotBeNull", {"column": "pmid"}),
            Check("ExpectColumnValuesToBeInSet", {"column": "study_design", "value_set": list(DESIGNS)}),
            Check("ExpectColumnValuesToNotBeNull", {"column": "title", "mostly": 0.99}, "warning"),
            Check("ExpectColumnValuesToBeBetween", {"column": "pub_year", "min_value": 1800,
                                                    "max_value": 2100, "mostly": 0.99}, "warning"),
        ]),
        Suite("evidence",
              "SELECT e.claim_id, e.pmid, e.rank, e.score, (p.pmid IS NOT NULL) AS pmid_known,"
              " (c.claim_id IS NOT NULL) AS claim_known, e.stance, e.p_support, e.p_refute,"
              # a record that supports or refutes a claim quotes the sentence that says so, and
              # the quote is the record's own text
              " (e.stance IS NULL OR e.stance = 'neutral' OR (e.quote IS NOT NULL AND"
              "  strpos(coalesce(p.title, '') || ' ' || coalesce(p.abstract, ''), e.quote) > 0))"
              " AS quote_ok,"
              # a retracted record never counts
              " NOT (coalesce(p.is_retracted, false) AND coalesce(e.counts, false)) AS retracted_ok"
              " FROM evidence e LEFT JOIN pubmed p USING (pmid) LEFT JOIN claims c USING (claim_id)"
              " WHERE {scope}", [
            Check("ExpectCompoundColumnsToBeUnique", {"column_list": ["claim_id", "pmid"]}),
            Check("ExpectCompoundColumnsToBeUnique", {"column_list": ["claim_id", "rank"]}),
            Check("ExpectColumnValuesToBeBetween", {"column": "rank", "min_value": 1}),
            Check("ExpectColumnValuesToBeInSet", {"column": "pmid_known", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "claim_known", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "stance", "value_set": STANCES}),
            Check("ExpectColumnValuesToBeBetween", {"column": "p_support", "min_value": 0, "max_value": 1}),
            Check("ExpectColumnValuesToBeBetween", {"column": "p_refute", "min_value": 0, "max_value": 1}),
            Check("ExpectColumnValuesToBeInSet", {"column": "quote_ok", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "retracted_ok", "value_set": [True]}),
        ], "e.run_id = $run_id"),
        _verdict_suite(list(FLAGS), list(LABELS)),
    ]


def _verdict_suite(flag_names: list[str], labels: list[str]) -> Suite:
    quoted = ", ".join("'" + f.replace("'", "''") + "'" for f in flag_names)
    return Suite(
        "verdicts",
        "SELECT cc.claim_id, v.label, v.confidence, (v.claim_id IS NOT NULL) AS has_verdict,"
        f" coalesce(len(list_filter(v.flags, f -> NOT list_contains([{quoted}], f))), 0) AS unknown_flags,"
        " len(v.flags) = len(coalesce(v.flag_reasons, [])) AS reasons_ok,"
        # a claim the article reports and rejects is never flagged
        " NOT (coalesce(cc.attribution, 'own') = 'rejected' AND len(v.flags) > 0) AS rejected_ok,"
        # supported / contradicted / mixed name the records they rest on
        " (v.label NOT IN ('supported', 'contradicted', 'mixed') OR len(v.deciding_pmids) > 0)"
        " AS deciding_ok, v.judged_because,"
        # the verdict in force is the last one its history holds
        " EXISTS (SELECT 1 FROM verdict_history h WHERE h.claim_id = v.claim_id AND h.run_id = v.run_id"
        " AND h.label = v.label) AS history_ok"
        " FROM current_claims cc LEFT JOIN verdicts v USING (claim_id) WHERE {scope}",
        [
            Check("ExpectColumnValuesToBeInSet", {"column": "has_verdict", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "label", "value_set": labels}),
            Check("ExpectColumnValuesToBeBetween", {"column": "confidence", "min_value": 0, "max_value": 1}),
            Check("ExpectColumnValuesToBeInSet", {"column": "unknown_flags", "value_set": [0]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "reasons_ok", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "rejected_ok", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "deciding_ok", "value_set": [True]}),
            Check("ExpectColumnValuesToBeInSet", {"column": "judged_because", "value_set": JUDGED_BECAUSE}),
            Check("ExpectColumnValuesToBeInSet", {"column": "history_ok", "value_set": [True]}),
        ],
        # every current claim lacking a verdict is in any run's scope
        "(v.claim_id IS NULL OR v.run_id = $run_id)")


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
    keep = {k: result[k] for k in ("observed_value", "element_count", "unexpected_count",
                                   "partial_unexpected_list") if k in result}
    return json.dumps(keep, default=str)[:500]


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
        outcome = batch.validate(gx_suite)
        for res in outcome.results:
            check = _check_for(suite.checks, res.expectation_config.type, res.expectation_config.kwargs)
            kwargs = check.kwargs
            column = kwargs.get("column") or ",".join(kwargs.get("column_list") or []) or (
                f"{kwargs.get('column_A')}>{kwargs.get('column_B')}" if "column_A" in kwargs else None)
            report.results.append(CheckResult(suite.table, check.expectation, column,
                                              bool(res.success), check.severity,
                                              _observed(dict(res.result or {}))))
