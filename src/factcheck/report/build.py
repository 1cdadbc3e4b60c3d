"""The editors' report (offline HTML pages), its exports and ``claims.jsonl``, read from the
database.

``out_dir/report/`` holds:

- ``index.html``: tonight's run first (new flags, resolved flags, changed verdicts since the
  previous published run, new articles, input errors), then every article ranked worst first
  (by the severity of its flags, :data:`FLAG_SEVERITY`), with filters as plain links;
- ``articles/<article_id>.html``: one page per article: its title, source link, the cleaned
  text with each claim highlighted by verdict, each claim's verdict, flags with their reasons,
  evidence cards (PMID link, title, journal, year, study design, retracted badge, the quoted
  sentence that supports or contradicts) and the audit trail of removed boilerplate;
- ``by/verdict-*.html``, ``by/flag-*.html``, ``by/site-*.html``: the claims with one verdict,
  one flag, or of one site;
- ``quality.html``: every data-quality check of the run, passed or failed, with sample
  failing values;
- ``flagged.csv`` and ``flagged.md``: the flagged claims for e-mail or a CMS;
- ``by/open.html``, ``by/triage-*.html``: the flagged claims without an editor's decision, and
  those an editor marked escalated, reviewed or dismissed (``store.triage``).

``claims.jsonl`` (beside the report folder) has one object per current claim: its text and
structure, the verdict (``verdict``: supported, mixed, contradicted, not_addressed or
no_coverage; ``verdict_scheme`` 1 for verdicts written before migration 0004, whose labels
were evidence_found, limited_evidence, no_evidence or overstated), ``flags`` with
``flag_reasons``, ``deciding_pmids``, ``coverage`` (records of the table on the claim's
topic), and ``evidence``: the records that support or refute it, each with its quoted sentence.

Everything shown in HTML goes through Jinja2 with autoescaping on: article text and titles
come from the web and must never become markup. The pages have inline CSS, no script and no
external resource (a Content-Security-Policy says so), so they open offline. The CSV neutralises
cells a spreadsheet would run as formulas; the Markdown escapes markup.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.resources
import io
import json
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape

from ..evidence import DESIGN_LABEL, FLAGS, LABELS, design_label
from ..store.db import records

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{pmid}/"

#: How serious each flag is for an editor (3: the claim is contradicted or rests on retracted
#: work; 2: it says more than its evidence; 1: a detail to check). An article's rank on the
#: index is the sum, over its flagged claims, of their most serious flag.
FLAG_SEVERITY: dict[str, int] = {
    "contradicted_by_stronger_evidence": 3,
    "retracted_evidence": 3,
    "overstated_certainty": 2,
    "preclinical_only": 2,
    "figure_not_found": 1,
    "cited_source_not_found": 1,
}
SEVERITY_WORDS = {3: "serious", 2: "overstated", 1: "to check"}
#: Characters of an article's cleaned text shown on its page (claims are read from the first
#: 100,000; see ``claims.limits``).
MAX_SHOWN_CHARS = 200_000


@dataclass
class ReportPaths:
    html: Path
    jsonl: Path
    csv: Path | None = None
    markdown: Path | None = None
    pages: int = 0


@lru_cache(maxsize=4096)   # called for every claim; an article's claims share it
def article_label(source: str, source_kind: str) -> str:
    """What ``claims.jsonl`` calls an article: the file name for files, the URL for pages."""
    return Path(source).name if source_kind == "file" else source


def article_title(title: str | None, body: str | None) -> str:
    """An article's title for an editor: the page's own, else its first line (its first
    heading, when the cleaner kept it), shortened; never a file name."""
    if title and title.strip():
        return " ".join(title.split())
    for line in (body or "").splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= 120 else line[:117].rsplit(" ", 1)[0] + "…"
    return "(untitled article)"


def severity(flags) -> int:
    return max((FLAG_SEVERITY.get(f, 1) for f in flags or []), default=0)


def slug(text: str) -> str:
    """A file name for a site (any text): readable part plus a short digest, so two sites
    never share a page."""
    readable = re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")[:40] or "site"
    return f"{readable}-{hashlib.sha1((text or '').encode('utf-8')).hexdigest()[:8]}"


#: The keys of a claim as the report and ``claims.jsonl`` give them, in this order (an article
#: page drawn also gets ``retrieved``, every record retrieved for the claim).
CLAIM_KEYS = ("claim_id", "article_id", "source", "article", "article_title", "seq", "sentence",
              "start", "end", "claim_type", "certainty", "polarity", "score", "reason",
              "intervention", "condition", "outcome", "mesh_terms", "verdict", "confidence",
              "flags", "explanation", "flag_reasons", "deciding_pmids", "coverage", "attribution",
              "attributed_to", "query_text", "figures", "cited", "verdict_scheme", "model_version",
              "site", "judged_because", "evidence")
#: The keys of a retrieved record, in order.
EVIDENCE_KEYS = ("pmid", "rank", "score", "on_topic", "title", "year", "design", "design_label",
                 "retracted", "journal", "url", "stance", "p_support", "p_refute", "quote",
                 "quote_section", "counts", "grade", "grade_note")


def _claims(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every current claim with its verdict and evidence, as the report shows them (read by
    column name: a column added to the query cannot shift the others)."""
    # read through Arrow: the same values as ``records`` gives (checked), in two thirds of the
    # time for a quarter of a million claims with their lists
    rows = con.execute(
        """
        SELECT cc.claim_id, cc.article_id, cc.source, a.source_kind, cc.article_title, cc.seq,
               cc.sentence, cc.start_char AS start, cc.end_char AS "end", cc.claim_type,
               cc.certainty, cc.polarity, cc.score, cc.reason, cc.intervention, cc.condition,
               cc.outcome, coalesce(cc.mesh_terms, []) AS mesh_terms, v.label AS verdict,
               v.confidence, coalesce(v.flags, []) AS flags, v.explanation,
               coalesce(v.flag_reasons, []) AS flag_reasons,
               coalesce(v.deciding_pmids, []) AS deciding_pmids, v.coverage,
               coalesce(cc.attribution, 'own') AS attribution, cc.attributed_to, cc.query_text,
               coalesce(cc.figures, []) AS figures, cc.cited,
               coalesce(v.scheme, 1) AS verdict_scheme, v.model_version, cc.site, v.judged_because
        FROM current_claims cc
        JOIN articles a USING (article_id)
        LEFT JOIN verdicts v USING (claim_id)
        ORDER BY cc.source, cc.seq
        """).to_arrow_table().to_pylist()
    # the records that bear on a claim (few), for every claim; every record retrieved (ten a
    # claim) only where a page is drawn: see _retrieved
    evidence = _retrieved(con, "coalesce(e.stance, 'neutral') <> 'neutral'")
    out = []
    for r in rows:
        flags = list(r["flags"])
        reasons = list(r.pop("flag_reasons")) or [FLAGS.get(f, "") for f in flags]
        r.update(
            article=article_label(r["source"], r.pop("source_kind")), flags=flags,
            mesh_terms=list(r["mesh_terms"]), flag_reasons=dict(zip(flags, reasons)),
            deciding_pmids=list(r["deciding_pmids"]), figures=list(r["figures"]),
            evidence=[{"pmid": e["pmid"], "stance": e["stance"], "quote": e["quote"],
                       "design": e["design"], "year": e["year"], "retracted": e["retracted"],
                       "counts": e["counts"]}
                      for e in evidence.get(r["claim_id"], [])])
        out.append({k: r[k] for k in CLAIM_KEYS})   # claims.jsonl keeps this order
    return out


_RETRIEVED_SQL = """
    SELECT e.claim_id, e.pmid, e.rank, e.score, e.on_topic, p.title, p.pub_year AS year,
           coalesce(e.design, p.study_design) AS design, p.is_retracted AS retracted,
           p.journal, coalesce(e.stance, 'neutral') AS stance, e.p_support, e.p_refute,
           e.quote, e.quote_section, e.counts, e.grade, e.grade_note
    FROM evidence e JOIN pubmed p USING (pmid)
    WHERE e.claim_id IN (SELECT claim_id FROM current_claims) AND ({where})
    ORDER BY e.claim_id, e.rank"""


def _retrieved(con: duckdb.DuckDBPyConnection, where: str = "TRUE", params: list | None = None
               ) -> dict[str, list[dict]]:
    """claim_id -> the records retrieved for it as a page shows them (EVIDENCE_KEYS), best
    first, for the current claims' evidence rows that ``where`` selects (``e``, ``p``)."""
    evidence: dict[str, list[dict]] = {}
    for e in records(con.execute(_RETRIEVED_SQL.format(where=where), params or [])):
        claim_id = e.pop("claim_id")
        e.update(score=round(e["score"], 4), design_label=design_label(e["design"]),
                 url=PUBMED_URL.format(pmid=e["pmid"]))
        evidence.setdefault(claim_id, []).append({k: e[k] for k in EVIDENCE_KEYS})
    return evidence


def _retrieved_digests(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """article_id -> a digest of every column the records retrieved for its current claims
    are shown with (the rows of ``_RETRIEVED_SQL``): an article page is drawn again when it
    changes, without reading those rows into Python for the pages that did not. The digest is
    the sum of the rows' 64-bit hashes (each row names its claim and rank, so no two are
    alike): about five times cheaper than an md5 of their JSON, which read ten rows a claim
    as text (1.26 s -> 0.25 s at 1,000 demo articles, 200,000 rows)."""
    return dict(con.execute(
        "SELECT c.article_id, sum(hash(r)::HUGEINT)::VARCHAR"
        f" FROM ({_RETRIEVED_SQL.format(where='TRUE')}) r JOIN current_claims c USING (claim_id)"
        " GROUP BY c.article_id").fetchall())


#: Keys of a claim left out of ``claims.jsonl`` (the report's own additions).
_NOT_IN_JSONL = ("retrieved", "site", "judged_because", "page", "severity", "article_title_shown",
                 "triage")


def jsonl_part(claims: list[dict]) -> str:
    """The ``claims.jsonl`` lines of ``claims``."""
    return "".join(json.dumps({k: v for k, v in claim.items() if k not in _NOT_IN_JSONL},
                              ensure_ascii=False, default=str) + "\n" for claim in claims)


# --- exports ---------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A CSV cell a spreadsheet will show as text: a value starting like a formula gets a
    leading apostrophe (OWASP's advice against CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$])")
#: ":smile:", ":material/warning:": shortcodes that Streamlit and some Markdown renderers turn
#: into emoji and icons whatever a backslash says (they read the text after it is parsed); a
#: zero-width space after the colon keeps the text as written.
_MD_SHORTCODE = re.compile(r":(?=[A-Za-z+])")


def md_text(value) -> str:
    """Text for Markdown: HTML-escaped (a CMS may render inline HTML), with Markdown's
    punctuation backslash-escaped (``$`` too: Streamlit typesets ``$…$`` as mathematics) and
    emoji shortcodes broken, on one line."""
    text = " ".join(str(value or "").split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SHORTCODE.sub(":\u200b", _MD_SPECIAL.sub(r"\\\1", text))


CSV_COLUMNS = ["article_title", "source", "site", "claim", "verdict", "flags", "flag_reasons",
               "confidence", "evidence", "deciding_pmids", "triage", "triage_note", "claim_id",
               "report_page"]


def csv_part(flagged: list[dict]) -> str:
    """The ``flagged.csv`` rows of the flagged claims ``flagged``."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    for c in flagged:
        evidence = " | ".join(
            f"PMID {e['pmid']} {'supports' if e['stance'] == 'supports' else 'contradicts'}: "
            f"{e['quote'] or ''}" for e in c["evidence"])
        writer.writerow([csv_cell(v) for v in (
            c["article_title_shown"], c["source"], c["site"], c["sentence"], c["verdict"],
            "; ".join(c["flags"]), "; ".join(c["flag_reasons"].get(f, "") for f in c["flags"]),
            f"{c['confidence']:.2f}" if c["confidence"] is not None else "", evidence,
            " ".join(str(p) for p in c["deciding_pmids"]),
            c["triage"]["status"] if c["triage"] else "open",
            (c["triage"] or {}).get("note") or "", c["claim_id"], c["page"])])
    return out.getvalue()


def csv_header() -> str:
    out = io.StringIO(newline="")
    csv.writer(out).writerow(CSV_COLUMNS)
    return out.getvalue()


def md_header(n_flagged: int, generated: str) -> str:
    return "\n".join([f"# Flagged health claims ({n_flagged})", "",
                      f"Generated {md_text(generated)} by factcheck.", ""])


def md_part(claims: list[dict]) -> str:
    """The section of ``flagged.md`` of one article's flagged ``claims`` (its lines joined,
    without a line break after the last)."""
    first = claims[0]
    lines = [f"## {md_text(first['article_title_shown'])}", "", f"Source: {md_text(first['source'])}", ""]
    for c in claims:
        lines.append(f"- **{md_text(c['sentence'])}**")
        lines.append(f"  - verdict: {md_text((c['verdict'] or '').replace('_', ' '))}; editor: "
                     f"{md_text(c['triage']['status'] if c['triage'] else 'open')}")
        for f in c["flags"]:
            lines.append(f"  - flag {md_text(f.replace('_', ' '))}: {md_text(c['flag_reasons'].get(f, ''))}")
        for e in c["evidence"]:
            stance = "supports" if e["stance"] == "supports" else "contradicts"
            lines.append(f"  - [PMID {e['pmid']}]({PUBMED_URL.format(pmid=e['pmid'])}) {stance}: "
                         f"{md_text(e['quote'])}")
    lines.append("")
    return "\n".join(lines)


def _grouped(claims: list[dict]) -> list[tuple[str, list[dict]]]:
    """``claims`` in runs of one article each, in order: (article_id, its claims)."""
    groups: list[tuple[str, list[dict]]] = []
    for c in claims:
        if groups and groups[-1][0] == c["article_id"]:
            groups[-1][1].append(c)
        else:
            groups.append((c["article_id"], [c]))
    return groups


# --- pages -----------------------------------------------------------------------------------

def highlighted(body: str | None, claims: list[dict], limit: int = MAX_SHOWN_CHARS) -> tuple[list[dict], int]:
    """The article's cleaned text cut into pieces, each plain text or one claim (by its
    offsets; a claim overlapping an earlier one is not highlighted). Returns the pieces and
    how many characters were left out after ``limit``."""
    body = body or ""
    shown = body[:limit]
    pieces, at = [], 0
    for c in sorted(claims, key=lambda c: (c["start"], c["end"])):
        if c["start"] < at or c["end"] > len(shown) or c["start"] >= c["end"]:
            continue
        if c["start"] > at:
            pieces.append({"text": shown[at:c["start"]]})
        pieces.append({"text": shown[c["start"]:c["end"]], "claim": c})
        at = c["end"]
    if at < len(shown):
        pieces.append({"text": shown[at:]})
    return pieces, len(body) - len(shown)


def _tonight(con: duckdb.DuckDBPyConnection, run_id: str) -> dict:
    """What the run changed against the previous published run: the claims it judged whose
    flags appeared or went, and whose verdict changed. A claim of an article's new version is
    compared with the same sentence (case and spacing aside) of the version before; a flagged
    sentence the new version no longer has is a resolved flag."""
    from ..store.triage import sentence_key

    rows = con.execute(
        """
        WITH h AS (
            SELECT claim_id, run_id, label, flags, judged_because,
                   lag(label) OVER w AS previous_label, lag(flags) OVER w AS previous_flags
            FROM verdict_history
            -- the histories of the claims this run judged, not every claim's
            WHERE claim_id IN (SELECT claim_id FROM verdict_history WHERE run_id = ?)
            WINDOW w AS (PARTITION BY claim_id ORDER BY decided_at, run_id))
        SELECT h.claim_id, h.label, h.flags, h.previous_label, h.previous_flags, h.judged_because,
               c.article_id, c.sentence
        FROM h JOIN current_claims c USING (claim_id)
        WHERE h.run_id = ? ORDER BY c.source, c.seq""", [run_id, run_id]).fetchall()
    # the verdicts of the version before, by sentence, of each article this run stored anew
    # (the version an editor last saw: a sentence an earlier edit removed is not resolved again)
    prior: dict[tuple[str, str], tuple[str, list, str]] = {}
    for article_id, sentence, label, flags in con.execute(
            """WITH stored AS (SELECT article_id, min(version) AS version FROM article_versions
                               WHERE run_id = ? GROUP BY article_id),
                    before AS (SELECT s.article_id, max(av.version) AS version FROM stored s
                               JOIN article_versions av ON av.article_id = s.article_id
                                AND av.version < s.version GROUP BY s.article_id)
               SELECT c.article_id, c.sentence, v.label, v.flags
               FROM claims c JOIN before b ON b.article_id = c.article_id AND b.version = c.version
               JOIN verdicts v USING (claim_id)
               WHERE c.claim_id NOT IN (SELECT claim_id FROM current_claims)
               ORDER BY v.decided_at""", [run_id]).fetchall():
        prior[(article_id, sentence_key(sentence))] = (label, list(flags or []), sentence)
    current_keys = {(a, sentence_key(t)) for a, t in con.execute(
        "SELECT article_id, sentence FROM current_claims WHERE article_id IN"
        " (SELECT article_id FROM article_versions WHERE run_id = ?)", [run_id]).fetchall()}
    new_flags, resolved, changed = [], [], []
    for claim_id, label, flags, prev_label, prev_flags, because, article_id, sentence in rows:
        same = (article_id, sentence_key(sentence))
        if prev_label is None and same in prior:
            prev_label, prev_flags, _ = prior[same]
        flags, prev = set(flags or []), set(prev_flags or [])
        entry = {"claim_id": claim_id, "label": label, "flags": sorted(flags),
                 "previous_label": prev_label, "previous_flags": sorted(prev),
                 "judged_because": because, "added": sorted(flags - prev),
                 "removed": sorted(prev - flags), "gone": False}
        if flags - prev:
            new_flags.append(entry)
        if prev - flags:
            resolved.append(entry)
        if prev_label is not None and (prev_label != label or prev != flags):
            changed.append(entry)
    for key, (label, flags, sentence) in prior.items():
        if flags and key not in current_keys:
            resolved.append({"claim_id": None, "label": label, "flags": [], "previous_label": label,
                             "previous_flags": sorted(flags), "judged_because": None, "added": [],
                             "removed": sorted(flags), "gone": True, "sentence": sentence})
    return {"new_flags": new_flags, "resolved": resolved, "changed": changed}


def _quality(con: duckdb.DuckDBPyConnection, run_id: str | None) -> dict | None:
    from ..store.quality import dq_report

    found = dq_report(con, run_id) if run_id else None
    if not found:
        return None
    run, results = found
    for r in results:
        try:
            observed = json.loads(r["observed"] or "{}")
        except ValueError:
            observed = {"observed_value": r["observed"]}
        r["samples"] = [str(v) for v in (observed.get("partial_unexpected_list") or [])][:10]
        r["unexpected"] = observed.get("unexpected_count")
        r["value"] = observed.get("observed_value")
    failed = [r for r in results if not r["success"]]
    return {"run": run, "results": results, "n": len(results),
            "failed_errors": sum(1 for r in failed if r["severity"] == "error"),
            "failed_warnings": sum(1 for r in failed if r["severity"] != "error")}


ARTICLE_MANIFEST = "articles/manifest.json"
#: Claims listed on one filter page (by verdict, flag, site or decision): beyond it the page says
#: how many more there are and where to find them (thousands of unflagged claims help no editor).
LIST_LIMIT = 1000
#: New flags listed on the index, the gravest first (the rest are on the filter pages).
NEW_FLAGS_SHOWN = 25


#: An article's keys computed from its claims alone (each claim's flags, verdict, severity and
#: editor's decision): left out of its digest, which holds the claims themselves.
_DERIVED = frozenset({"flagged", "open", "severity", "by_severity", "verdicts"})
#: This module's source (read once): how pages and the exports' parts are drawn.
_SOURCE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def _layout_digest() -> str:
    """The templates, flag texts, verdict labels, this module and factcheck version an article
    page and its parts of the exports are drawn with: an upgrade that changes any of them draws
    every page again."""
    from .. import __version__

    h = hashlib.sha256(f"{__version__}|{FLAGS!r}|{SEVERITY_WORDS!r}|{DESIGN_LABEL!r}|{PUBMED_URL}"
                       f"|{LABELS!r}".encode())
    h.update(_SOURCE.encode())
    for entry in sorted(importlib.resources.files("factcheck.report").joinpath("templates").iterdir(),
                        key=lambda e: e.name):
        if entry.is_file():
            h.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return h.hexdigest()


def _write_new(path: Path, text: str) -> None:
    """Write ``path`` as a new file, never through an existing one (which may be a hard link
    to a page of the published report)."""
    path.unlink(missing_ok=True)
    path.write_text(text, encoding="utf-8")


def _keep(page: Path, target: Path) -> None:
    """Put the published ``page`` in the new report: a hard link where the file system allows
    (pages are never written in place: :func:`_write_new` replaces a file's name, so both
    reports keep their own), else a copy."""
    if target.exists() and target.samefile(page):
        return
    target.unlink(missing_ok=True)
    try:
        os.link(page, target)
    except OSError:
        shutil.copyfile(page, target)


def build_report(con: duckdb.DuckDBPyConnection, out_dir: str | Path, run_id: str | None = None,
                 decisions: dict | None = None, previous: str | Path | None = None) -> ReportPaths:
    """Write ``out_dir/report/`` (``index.html`` and the pages above) and
    ``out_dir/claims.jsonl`` from ``con``. ``decisions`` are the editors' triage decisions in
    force (``store.triage.load_decisions``): a flagged claim without one is open.

    ``previous`` is the report published before (its folder): an article page whose content
    did not change since (same article, claims, verdicts, evidence and editors' decisions: a
    digest kept in ``articles/manifest.json``) is taken from it instead of rendered again, and
    so is the article's part of ``claims.jsonl``, ``flagged.csv`` and ``flagged.md`` (whose
    sha256 and byte range per article the manifest keeps too; with ``claims.jsonl`` beside the
    ``previous`` folder, as this writes it beside ``report``). The claims are still read from
    ``con`` each time. Such a page keeps the header of the run that wrote it."""
    from ..store.triage import decision_for

    out_dir = Path(out_dir)
    root = out_dir / "report"
    for sub in ("articles", "by"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    claims = _claims(con)
    removed: dict[str, list[dict]] = {}
    for article_id, kind, text, reason in con.execute(
            """SELECT rb.article_id, rb.kind, rb.text, rb.reason FROM removed_blocks rb
               JOIN articles a ON a.article_id = rb.article_id AND a.latest_version = rb.version
               ORDER BY rb.article_id, rb.seq""").fetchall():
        removed.setdefault(article_id, []).append({"kind": kind, "text": text, "reason": reason})
    by_article: dict[str, list[dict]] = {}
    for c in claims:
        by_article.setdefault(c["article_id"], []).append(c)
    cur = con.execute(
        """SELECT ca.article_id, ca.source, a.source_kind, ca.site, ca.title, ca.published, ca.n_removed,
                  left(ca.body_text, 4000) AS body_head, md5(ca.body_text) AS body_md5,
                  a.first_seen_run, ca.author
           FROM current_articles ca JOIN articles a USING (article_id) ORDER BY ca.source""")
    articles = []
    decisions = decisions or {}
    decided = {article_id for article_id, _ in decisions}   # articles an editor decided on
    for a in records(cur):
        # the body itself is read only for the pages drawn (below); its digest stands for it
        a["title_shown"] = article_title(a["title"], a.pop("body_head"))
        a["label"] = article_label(a["source"], a["source_kind"])
        # a link only to a web page (a source is stored canonical, but never trust a scheme)
        a["is_url"] = a["source_kind"] == "url" and a["source"].lower().startswith(("http://", "https://"))
        a["page"] = f"articles/{a['article_id']}.html"
        a["site_page"] = f"by/site-{slug(a['site'] or '')}.html"
        mine = by_article.get(a["article_id"], [])
        for c in mine:
            c["article_title_shown"] = a["title_shown"]
            c["page"] = f"{a['page']}#c-{c['seq']}"
            c["severity"] = severity(c["flags"]) if c["attribution"] != "rejected" else 0
            found = (decision_for(decisions, a["article_id"], c["sentence"], c["flags"])
                     if a["article_id"] in decided else None)
            c["triage"] = ({"status": found.status, "note": found.note, "editor": found.editor,
                            "decided_at": found.decided_at} if found else None)
        a["claims"] = mine
        a["flagged"] = [c for c in mine if c["flags"] and c["attribution"] != "rejected"]
        a["severity"] = sum(c["severity"] for c in a["flagged"])
        # (severity, flagged claims of it), gravest first: the index's line for the article
        a["by_severity"] = sorted(Counter(c["severity"] for c in a["flagged"]).items(), reverse=True)
        a["open"] = [c for c in a["flagged"] if c["triage"] is None]
        a["verdicts"] = {label: sum(1 for c in mine if c["verdict"] == label) for label in LABELS}
        a["removed"] = removed.get(a["article_id"], [])
        a["new_tonight"] = bool(run_id) and a["first_seen_run"] == run_id
        articles.append(a)
    articles.sort(key=lambda a: (-a["severity"], -len(a["flagged"]), a["title_shown"].lower(), a["source"]))
    claim_by_id = {c["claim_id"]: c for c in claims}
    flagged = [c for a in articles for c in sorted(a["flagged"], key=lambda c: (-c["severity"], c["seq"]))]
    # the lists across articles: each claim by its own gravest flag first (then its article's
    # rank), so that one serious flag in a mildly flagged article is not listed after every
    # claim of a worse-ranked one
    gravest = sorted(flagged, key=lambda c: -c["severity"])
    still_open = [c for c in gravest if c["triage"] is None]

    run = None
    errors: list[dict] = []
    tonight = {"new_flags": [], "resolved": [], "changed": []}
    judged: dict[str, int] = {}
    kept = carried = 0
    if run_id:
        cur = con.execute("SELECT run_id, started_at, status, n_documents, n_new_versions, n_claims,"
                          " n_errors FROM runs WHERE run_id = ?", [run_id])
        found = cur.fetchone()
        run = dict(zip([d[0] for d in cur.description], found)) if found else None
        cur = con.execute("SELECT source, stage, error_kind, severity, message FROM pipeline_errors"
                          " WHERE run_id = ? ORDER BY created_at", [run_id])
        errors = records(cur)
        judged = dict(con.execute("SELECT coalesce(judged_because, 'unknown'), count(*) FROM verdict_history"
                                  " WHERE run_id = ? GROUP BY ALL ORDER BY 2 DESC, 1", [run_id]).fetchall())
        # an edited article's unchanged claims took their verdicts from its earlier version
        carried = judged.pop("carried", 0)
        # current verdicts the run confirmed without judging them again
        kept = con.execute("SELECT count(*) FROM verdicts WHERE checked_run_id = ? AND run_id <> ?",
                           [run_id, run_id]).fetchone()[0]
        tonight = _tonight(con, run_id)
        for entries in tonight.values():
            for e in entries:
                e["claim"] = claim_by_id.get(e["claim_id"])
        # the gravest new flags first (stable: in text order within a severity)
        tonight["new_flags"].sort(key=lambda e: -severity(e["added"]))
    quality = _quality(con, run_id)
    pubmed = con.execute("SELECT count(*), min(pub_year), max(pub_year) FROM pubmed").fetchone()

    sites: dict[str, list[dict]] = {}
    for a in articles:
        sites.setdefault(a["site"] or "", []).append(a)
    filters = {
        "verdict": [(label, f"by/verdict-{label}.html",
                     [c for c in claims if c["verdict"] == label]) for label in LABELS],
        "flag": [(flag, f"by/flag-{flag}.html",
                  [c for c in gravest if flag in c["flags"]]) for flag in FLAGS],
        "site": [(site or "(no site)", f"by/site-{slug(site)}.html",
                  [c for a in group for c in a["claims"]]) for site, group in sorted(sites.items())],
        "triage": [("open", "by/open.html", still_open)] + [
            (status, f"by/triage-{status}.html",
             [c for c in gravest if c["triage"] and c["triage"]["status"] == status])
            for status in ("escalated", "reviewed", "dismissed")],
    }

    env = Environment(loader=PackageLoader("factcheck.report", "templates"),
                      autoescape=select_autoescape(["html"], default=True))
    common = {"generated": generated, "run": run, "flag_help": FLAGS, "severity_words": SEVERITY_WORDS,
              "pubmed": {"n": pubmed[0], "min_year": pubmed[1], "max_year": pubmed[2]},
              "quality": quality}

    written: list[str] = []

    def write(page: str, template: str, **values) -> None:
        depth = page.count("/")
        html = env.get_template(template).render(root="../" * depth, **common, **values)
        _write_new(root / page, html)
        written.append(page)

    write("index.html", "index.html", articles=articles, n_claims=len(claims), n_flagged=len(flagged),
          new_flags_shown=NEW_FLAGS_SHOWN,
          n_open=len(still_open), errors=errors, tonight=tonight, judged=judged, kept=kept, carried=carried,
          filters=filters)
    before, exported_before = _previous_manifest(previous)
    manifest: dict[str, str] = {}
    layout = _layout_digest()
    shown = _retrieved_digests(con)
    to_draw = []
    for a in articles:
        # what the page shows (cheaply: repr; pickle is faster but writes equal data
        # differently from one build to the next; the records retrieved by their digest in
        # SQL; not the keys derived from the claims, which would repeat them), and how it is
        # drawn
        shows = {k: v for k, v in a.items() if k not in _DERIVED}
        digest = hashlib.sha256(
            (layout + shown.get(a["article_id"], "") + repr(shows)).encode()).hexdigest()
        manifest[a["article_id"]] = digest
        kept = Path(previous) / a["page"] if previous is not None else None
        if before.get(a["article_id"]) == digest and kept is not None and kept.exists():
            _keep(kept, root / a["page"])
            written.append(a["page"])
        else:
            to_draw.append(a)
    if to_draw:   # every record retrieved for the claims of the pages drawn, and their bodies
        everything = len(to_draw) == len(articles)
        retrieved = (_retrieved(con) if everything else _retrieved(
            con, "e.claim_id IN (SELECT unnest(?::VARCHAR[]))",
            [[c["claim_id"] for a in to_draw for c in a["claims"]]]))
        bodies = dict(con.execute(
            "SELECT article_id, body_text FROM current_articles" + (
                "" if everything else " WHERE article_id IN (SELECT unnest(?::VARCHAR[]))"),
            [] if everything else [[a["article_id"] for a in to_draw]]).fetchall())
    for a in to_draw:
        for c in a["claims"]:
            c["retrieved"] = retrieved.get(c["claim_id"], [])
        pieces, cut = highlighted(bodies.get(a["article_id"]), a["claims"])
        write(a["page"], "article.html", a=a, pieces=pieces, cut=cut)
    titles = {"verdict": "Claims with the verdict “{}”", "flag": "Flagged claims: {}",
              "site": "Claims of {}", "triage": "Flagged claims an editor marked {}"}
    for kind, entries in filters.items():
        for name, page, listed in entries:
            heading = ("Flagged claims still open (no editor's decision)" if page == "by/open.html"
                       else titles[kind].format(name.replace("_", " ")))
            write(page, "list.html", heading=heading,
                  claims=listed[:LIST_LIMIT], total=len(listed), kind=kind, name=name,
                  help=FLAGS.get(name) if kind == "flag" else None)
    write("quality.html", "quality.html")

    paths = ReportPaths(root / "index.html", out_dir / "claims.jsonl", root / "flagged.csv",
                        root / "flagged.md", len(written))
    # the exports: an unchanged article's part is taken from the published file
    unchanged = {i for i, digest in manifest.items() if before.get(i) == digest}
    exported = {}
    for path, header, sep, items, render in (
            (paths.jsonl, "", "", claims, jsonl_part),
            (paths.csv, csv_header(), "", flagged, csv_part),
            (paths.markdown, md_header(len(flagged), generated), "\n", flagged, md_part)):
        # published beside the previous report as this build writes beside ``root``
        was = (Path(previous) / path.relative_to(root) if path.is_relative_to(root)
               else Path(previous).parent / path.relative_to(out_dir)) if previous is not None else None
        with _Export.open(was, exported_before.get(path.name)) as old:
            exported[path.name] = _write_export(path, header, sep, _grouped(items), render,
                                                unchanged, old)
    _write_new(root / ARTICLE_MANIFEST, json.dumps({"pages": manifest, "exports": exported},
                                                   sort_keys=True))
    return paths


def is_report(folder: str | Path) -> bool:
    """Whether ``folder`` holds a report this package wrote (its index's title says so), so
    that a run may replace it: a folder of someone else's that happens to be named ``report``
    beside the database is never deleted."""
    index = Path(folder) / "index.html"
    try:
        with index.open("rb") as fh:
            head = fh.read(2048)
    except OSError:
        return False
    return b"<title>factcheck" in head


def foreign_report_folder(out_dir: str | Path) -> Path | None:
    """``out_dir/report`` when it exists and is not a report of this package's: a run, which
    replaces that folder whole, must not start (the CLI) nor publish (``pipeline.publish_run``)."""
    folder = Path(out_dir) / "report"
    return folder if folder.exists() and not is_report(folder) else None


def _previous_manifest(previous: str | Path | None) -> tuple[dict[str, str], dict[str, dict]]:
    """(article id -> page digest, export name -> what :func:`_write_export` recorded) of the
    report in ``previous`` (none when it has no readable manifest; a manifest written before
    the exports were recorded holds the page digests alone)."""
    if previous is None or not (Path(previous) / ARTICLE_MANIFEST).exists():
        return {}, {}
    try:
        data = json.loads((Path(previous) / ARTICLE_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, {}
    if not isinstance(data, dict):
        return {}, {}
    if isinstance(data.get("pages"), dict):
        return data["pages"], data.get("exports") if isinstance(data.get("exports"), dict) else {}
    return {k: v for k, v in data.items() if isinstance(v, str)}, {}


class _Export:
    """A published export file, open for reading, and where each article's part lies in it.
    A context manager; :meth:`open` gives one without a file when there is nothing to reuse."""

    def __init__(self, fh=None, size: int = 0, parts: dict | None = None) -> None:
        self.fh, self.size, self.parts = fh, size, parts or {}

    @classmethod
    def open(cls, path: Path | None, recorded: dict | None) -> _Export:
        """The file at ``path`` if it is the one the manifest recorded (its sha256, read in
        chunks), else an export with no parts (missing, edited, or not recorded)."""
        if path is None or not isinstance(recorded, dict) or not path.exists():
            return cls()
        try:
            fh = path.open("rb")
        except OSError:
            return cls()
        h = hashlib.sha256()
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
        if h.hexdigest() != recorded.get("sha256") or not isinstance(recorded.get("parts"), dict):
            fh.close()
            return cls()
        return cls(fh, fh.tell(), recorded["parts"])

    def part(self, article_id: str) -> bytes | None:
        at = self.parts.get(article_id)
        if self.fh is None or not (isinstance(at, list) and len(at) == 2
                                   and all(isinstance(x, int) for x in at)
                                   and 0 <= at[0] <= at[1] <= self.size):
            return None
        self.fh.seek(at[0])
        return self.fh.read(at[1] - at[0])

    def __enter__(self) -> _Export:
        return self

    def __exit__(self, *exc) -> None:
        if self.fh is not None:
            self.fh.close()


def _write_export(path: Path, header: str, sep: str, groups: list[tuple[str, list[dict]]], render,
                  unchanged: set[str], old: _Export) -> dict:
    """Write ``path``: ``header``, then each article's part (``render`` of its claims), joined
    by ``sep``; the part of an article in ``unchanged`` is copied from ``old``, the published
    file, when it holds it (the article's digest covers every value a part shows). Written as
    it goes (a file of every claim is hundreds of megabytes at 10,000 articles). Returns the
    file's sha256 and the byte range of each article's part, for the next build."""
    counts: dict[str, int] = {}
    for article_id, _ in groups:
        counts[article_id] = counts.get(article_id, 0) + 1
    between = sep.encode("utf-8")
    digest, parts, at = hashlib.sha256(), {}, 0
    path.unlink(missing_ok=True)     # a new file, never written through a link
    with path.open("wb") as fh:
        def put(data: bytes) -> None:
            nonlocal at
            fh.write(data)
            digest.update(data)
            at += len(data)

        put(header.encode("utf-8"))
        for article_id, claims in groups:
            alone = counts[article_id] == 1    # an article whose claims are not together: drawn
            piece = old.part(article_id) if alone and article_id in unchanged else None
            put(between)
            start = at
            put(piece if piece is not None else render(claims).encode("utf-8"))
            if alone:
                parts[article_id] = [start, at]
    return {"sha256": digest.hexdigest(), "parts": parts}
