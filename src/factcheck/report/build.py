"""The editors' report (one offline HTML page) and ``claims.jsonl``, read from the database.

``claims.jsonl`` has one object per current claim: its text and structure, the verdict
(``verdict``: supported, mixed, contradicted, not_addressed or no_coverage; ``verdict_scheme``
1 for verdicts written before migration 0004, whose labels were evidence_found,
limited_evidence, no_evidence or overstated), ``flags`` with ``flag_reasons``,
``deciding_pmids``, ``coverage`` (records of the table on the claim's topic), and
``evidence``: the records that support or refute it, each with its quoted sentence.

Everything shown in HTML goes through Jinja2 with autoescaping on: article text and titles
come from the web and must never become markup. The page has inline CSS, no script and no
external resource, so it opens offline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape

from ..evidence.grading import design_label
from ..evidence.verdict import FLAGS

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


@dataclass
class ReportPaths:
    html: Path
    jsonl: Path


def article_label(source: str, source_kind: str) -> str:
    """What ``claims.jsonl`` calls an article: the file name for files, the URL for pages."""
    return Path(source).name if source_kind == "file" else source


def _claims(con: duckdb.DuckDBPyConnection) -> list[dict]:
    rows = con.execute(
        """
        SELECT cc.claim_id, cc.article_id, cc.source, a.source_kind, cc.article_title, cc.seq,
               cc.sentence, cc.start_char, cc.end_char, cc.claim_type, cc.certainty, cc.polarity,
               cc.score, cc.reason, cc.intervention, cc.condition, cc.outcome, cc.mesh_terms,
               v.label, v.confidence, coalesce(v.flags, []), v.explanation,
               coalesce(v.flag_reasons, []), coalesce(v.deciding_pmids, []), v.coverage,
               coalesce(cc.attribution, 'own'), cc.attributed_to, cc.query_text,
               coalesce(cc.figures, []), cc.cited, coalesce(v.scheme, 1), v.model_version
        FROM current_claims cc
        JOIN articles a USING (article_id)
        LEFT JOIN verdicts v USING (claim_id)
        ORDER BY cc.source, cc.seq
        """).fetchall()
    evidence = {}
    for (claim_id, pmid, rank, score, on_topic, title, year, design, retracted, journal, stance,
         p_support, p_refute, quote, section, counts, grade, note) in con.execute(
            """
            SELECT e.claim_id, e.pmid, e.rank, e.score, e.on_topic, p.title, p.pub_year,
                   coalesce(e.design, p.study_design), p.is_retracted, p.journal, e.stance,
                   e.p_support, e.p_refute, e.quote, e.quote_section, e.counts, e.grade, e.grade_note
            FROM evidence e JOIN pubmed p USING (pmid) ORDER BY e.claim_id, e.rank
            """).fetchall():
        evidence.setdefault(claim_id, []).append({
            "pmid": pmid, "rank": rank, "score": round(score, 4), "on_topic": on_topic,
            "title": title, "year": year, "design": design, "design_label": design_label(design),
            "retracted": retracted, "journal": journal, "url": PUBMED_URL.format(pmid=pmid),
            "stance": stance or "neutral", "p_support": p_support, "p_refute": p_refute,
            "quote": quote, "quote_section": section, "counts": counts, "grade": grade,
            "grade_note": note})
    out = []
    for r in rows:
        ev = evidence.get(r[0], [])
        flags = list(r[20])
        reasons = list(r[22]) or [FLAGS.get(f, "") for f in flags]
        out.append({
            "claim_id": r[0], "article_id": r[1], "source": r[2],
            "article": article_label(r[2], r[3]), "article_title": r[4], "seq": r[5],
            "sentence": r[6], "start": r[7], "end": r[8], "claim_type": r[9], "certainty": r[10],
            "polarity": r[11], "score": r[12], "reason": r[13], "intervention": r[14],
            "condition": r[15], "outcome": r[16], "mesh_terms": list(r[17] or []),
            "verdict": r[18], "confidence": r[19], "flags": flags, "explanation": r[21],
            "flag_reasons": dict(zip(flags, reasons)),
            "deciding_pmids": list(r[23]), "coverage": r[24], "attribution": r[25],
            "attributed_to": r[26], "query_text": r[27], "figures": list(r[28]), "cited": r[29],
            "verdict_scheme": r[30], "model_version": r[31],
            "evidence": [{"pmid": e["pmid"], "stance": e["stance"], "quote": e["quote"],
                          "design": e["design"], "year": e["year"], "retracted": e["retracted"],
                          "counts": e["counts"]}
                         for e in ev if e["stance"] != "neutral"],
            "retrieved": ev,
        })
    return out


def write_claims_jsonl(claims: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for claim in claims:
            record = {k: v for k, v in claim.items() if k != "retrieved"}
            fh.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


def build_report(con: duckdb.DuckDBPyConnection, out_dir: str | Path, run_id: str | None = None) -> ReportPaths:
    """Write ``out_dir/report/index.html`` and ``out_dir/claims.jsonl`` from ``con``."""
    out_dir = Path(out_dir)
    (out_dir / "report").mkdir(parents=True, exist_ok=True)
    claims = _claims(con)
    articles = con.execute(
        """SELECT s.article_id, s.source, a.source_kind, s.title, s.published, s.n_removed,
                  s.n_claims, s.n_flagged
           FROM article_summary s JOIN articles a USING (article_id) ORDER BY s.source""").fetchall()
    removed = {}
    for article_id, kind, text, reason in con.execute(
            """SELECT rb.article_id, rb.kind, rb.text, rb.reason FROM removed_blocks rb
               JOIN articles a ON a.article_id = rb.article_id AND a.latest_version = rb.version
               ORDER BY rb.article_id, rb.seq""").fetchall():
        removed.setdefault(article_id, []).append({"kind": kind, "text": text, "reason": reason})
    by_article = {}
    for c in claims:
        by_article.setdefault(c["article_id"], []).append(c)
    run = None
    if run_id:
        row = con.execute("SELECT run_id, started_at, status, n_documents, n_new_versions, n_claims,"
                          " n_errors FROM runs WHERE run_id = ?", [run_id]).fetchone()
        if row:
            run = dict(zip(["run_id", "started_at", "status", "n_documents", "n_new_versions",
                            "n_claims", "n_errors"], row))
    errors = con.execute(
        "SELECT source, stage, error_kind, severity, message FROM pipeline_errors"
        " WHERE run_id = ? ORDER BY created_at", [run_id]).fetchall() if run_id else []
    changes, judged = [], {}
    if run_id:
        # what this run changed: the verdicts it judged (and why), those whose label or flags moved
        judged = dict(con.execute("SELECT coalesce(judged_because, 'unknown'), count(*) FROM verdict_history"
                                  " WHERE run_id = ? GROUP BY ALL ORDER BY 2 DESC", [run_id]).fetchall())
        cur = con.execute(
            """SELECT c.article_id, c.sentence, ch.previous_label, ch.label, ch.previous_flags,
                      ch.flags, ch.judged_because
               FROM verdict_changes ch JOIN current_claims c USING (claim_id)
               WHERE ch.run_id = ? ORDER BY c.article_id, c.seq""", [run_id])
        names = [d[0] for d in cur.description]
        changes = [dict(zip(names, r)) for r in cur.fetchall()]
    pubmed = con.execute("SELECT count(*), min(pub_year), max(pub_year) FROM pubmed").fetchone()
    env = Environment(loader=PackageLoader("factcheck.report", "templates"),
                      autoescape=select_autoescape(["html"], default=True))
    html = env.get_template("report.html").render(
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        run=run,
        articles=[{
            "article_id": a[0], "source": a[1], "source_kind": a[2],
            "label": article_label(a[1], a[2]), "title": a[3] or article_label(a[1], a[2]),
            "published": a[4], "n_removed": a[5], "n_claims": a[6], "n_flagged": a[7],
            "is_url": a[2] == "url",
            "flagged": [c for c in by_article.get(a[0], []) if c["flags"] and c["attribution"] != "rejected"],
            "other": [c for c in by_article.get(a[0], [])
                      if not c["flags"] or c["attribution"] == "rejected"],
            "removed": removed.get(a[0], []),
        } for a in articles],
        n_claims=len(claims),
        n_flagged=sum(1 for c in claims if c["flags"] and c["attribution"] != "rejected"),
        errors=errors, flag_help=FLAGS, changes=changes, judged=judged,
        pubmed={"n": pubmed[0], "min_year": pubmed[1], "max_year": pubmed[2]},
    )
    paths = ReportPaths(out_dir / "report" / "index.html", out_dir / "claims.jsonl")
    paths.html.write_text(html, encoding="utf-8")
    write_claims_jsonl(claims, paths.jsonl)
    return paths
