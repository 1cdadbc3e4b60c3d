"""Distribution drift between a run and the previous published run, as data-quality warnings.

A run's metrics are computed over the article versions it stored (its new input), so that a
site whose redesign makes the cleaner drop most of the body, or a night whose claims suddenly
find no evidence, shows the same night, undiluted by history:

- ``removed_share`` (per site): the share of the text removed as boilerplate;
- ``claims_per_article``: claims per new article version;
- ``without_evidence_share``: the share of those claims whose verdict rests on no record;
- ``verdict_share`` (per label): the verdict mix.

Each metric is compared with the same metric (same site, same label) of the latest earlier
run that was published (``runs.status = 'completed'``) and has it over at least ``min_n``
articles or claims; a move beyond :data:`DRIFT` is a warning (it never blocks publishing: a
real change of the input looks the same). Metrics computed over fewer than ``min_n`` articles
or claims are recorded but not compared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb

from .checks import CheckResult


@dataclass(frozen=True)
class Drift:
    description: str
    threshold: float
    relative: bool        # compare now / before - 1 (True) or now - before (False)
    min_n: int


#: Every drift threshold, in one place.
DRIFT: dict[str, Drift] = {
    "removed_share": Drift("share of a site's text removed as boilerplate", 0.20, False, 3),
    "claims_per_article": Drift("claims per new article", 0.50, True, 3),
    "without_evidence_share": Drift("share of new claims whose verdict rests on no record", 0.20, False, 20),
    "verdict_share": Drift("share of new claims with each verdict", 0.20, False, 20),
}


def run_metrics(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple[str, str, float, int]]:
    """(metric, scope, value, n) of the article versions ``run_id`` stored."""
    out: list[tuple[str, str, float, int]] = []
    for site, removed, kept, n in con.execute(
            """SELECT coalesce(a.site, ''), sum(coalesce(rb.chars, 0)), sum(length(v.body_text)), count(*)
               FROM article_versions v JOIN articles a USING (article_id)
               LEFT JOIN (SELECT rb.article_id, rb.version, sum(length(rb.text)) AS chars
                          FROM removed_blocks rb JOIN article_versions av USING (article_id, version)
                          WHERE av.run_id = ? GROUP BY ALL) rb USING (article_id, version)
               WHERE v.run_id = ? AND v.clean_status = 'ok' GROUP BY ALL ORDER BY 1""",
            [run_id, run_id]).fetchall():
        total = (removed or 0) + (kept or 0)
        if total:
            out.append(("removed_share", site, removed / total, n))
    versions, claims = con.execute(
        """SELECT count(DISTINCT (v.article_id, v.version)), count(c.claim_id)
           FROM article_versions v LEFT JOIN claims c USING (article_id, version)
           WHERE v.run_id = ? AND v.clean_status = 'ok'""", [run_id]).fetchone()
    if versions:
        out.append(("claims_per_article", "all", claims / versions, versions))
    labels = con.execute(
        """SELECT vd.label, len(coalesce(vd.deciding_pmids, [])) = 0 FROM article_versions v
           JOIN claims c USING (article_id, version) JOIN verdicts vd USING (claim_id)
           WHERE v.run_id = ?""", [run_id]).fetchall()
    if labels:
        n = len(labels)
        out.append(("without_evidence_share", "all", sum(1 for _, none in labels if none) / n, n))
        for label in sorted({label for label, _ in labels}):
            out.append(("verdict_share", label, sum(1 for lb, _ in labels if lb == label) / n, n))
    return out


def drift_checks(now: list[tuple[str, str, float, int]],
                 before: dict[tuple[str, str], tuple[float, int, str]]) -> list[CheckResult]:
    """A warning-level result per metric of ``now`` that can be compared with ``before``
    (``(metric, scope) -> (value, n, run id)``: the latest published run that has it)."""
    results = []
    keys = {(m, s) for m, s, _, _ in now}
    # a verdict label that disappeared tonight is a share that fell to 0
    compared = list(now) + [(m, s, 0.0, next((n for mm, _, _, n in now if mm == m), 0))
                            for (m, s) in before if m == "verdict_share" and (m, s) not in keys]
    for metric, scope, value, n in compared:
        rule = DRIFT.get(metric)
        if rule is None or (metric, scope) not in before:
            continue
        old, old_n, previous_run = before[(metric, scope)]
        if n < rule.min_n or old_n < rule.min_n:
            continue
        move = (value / old - 1.0 if old else (0.0 if value == 0 else float("inf"))) if rule.relative else value - old
        ok = abs(move) <= rule.threshold
        observed = {"observed_value": f"{value:.2f} (previous published run {previous_run}: {old:.2f};"
                                      f" {'change' if rule.relative else 'difference'} {move:+.0%}"
                                      f" against a threshold of ±{rule.threshold:.0%}; n {n} and {old_n})"}
        results.append(CheckResult("drift", metric, scope, ok, "warning", json.dumps(observed, ensure_ascii=False)))
    return results


def check_drift(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[list[tuple[str, str, float, int]], list[CheckResult]]:
    """This run's metrics, and the drift warnings against the previous published run's."""
    from ..store.quality import previous_metrics

    now = run_metrics(con, run_id)
    before = previous_metrics(con, run_id, {name: rule.min_n for name, rule in DRIFT.items()})
    return now, drift_checks(now, before)
