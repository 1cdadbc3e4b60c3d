"""``factcheck check "CLAIM"``: one claim judged against a database's reference table."""

from __future__ import annotations

import json
import sys
from contextlib import closing

import click

from ..settings import DEFAULT_DB


@click.command()
@click.argument("claim_text")
@click.option("--db", default=DEFAULT_DB, show_default=True,
              type=click.Path(dir_okay=False), help="Database whose PubMed reference (reference.duckdb beside it) is searched.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict and evidence as JSON.")
def check(claim_text: str, db: str, as_json: bool) -> None:
    """Judge one claim as the pipeline would: verdict, confidence, flags, and each record read
    with what it says (the deciding sentence quoted). The database is opened read-only."""
    from pathlib import Path

    from ..evidence import vectors
    from ..evidence.assess import assess_claim, claim_from_text
    from ..evidence.retrieve import has_vectors, index_ready
    from ..store.db import connect

    if not Path(db).exists():
        raise click.ClickException(f"{db} does not exist: run `factcheck demo` or `factcheck pubmed load` first")
    from ..pipeline import mesh_vocabulary

    with closing(connect(db, read_only=True)) as con:
        claim, extracted = claim_from_text(claim_text.strip(), mesh_vocabulary(con) or None)
        if not index_ready(con):
            raise click.ClickException(f"{db} has no PubMed index: load records with `factcheck pubmed load`")
        vector = None
        if has_vectors(con) and vectors.available():
            vector = vectors.encode([claim.query_text or claim.sentence])[0].tolist()
        a = assess_claim(con, claim, vector=vector)
    v = a.verdict
    if as_json:
        click.echo(json.dumps({
            "claim": claim.to_dict(), "extracted": extracted, "verdict": v.label,
            "confidence": v.confidence, "flags": dict(zip(v.flags, v.flag_reasons)),
            "explanation": v.explanation, "deciding_pmids": v.deciding_pmids, "coverage": v.coverage,
            "evidence": [{"pmid": r.hit.pmid, "stance": r.stance, "p_support": round(r.p_support, 3),
                          "p_refute": round(r.p_refute, 3), "design": r.grade.design,
                          "counts": r.grade.counts, "quote": r.quote, "title": r.hit.title}
                         for r in a.records]}, ensure_ascii=False, indent=2))
        return
    # a text the extractor does not take for a claim has no type or certainty of its own: it is
    # judged as an assertive efficacy claim, which is said, not shown as if it had been read
    read_as = (f"{claim.claim_type}, {claim.certainty}" if extracted else
               "not extracted as a claim: searched as written and judged as an assertive efficacy claim")
    click.echo(f"{v.label} (confidence {v.confidence:.2f}; {read_as})")
    if v.coverage is not None:
        click.echo(f"records of the table on its topic: {v.coverage}")
    for flag, reason in zip(v.flags, v.flag_reasons):
        click.echo(f"flag {flag}: {reason}")
    click.echo(v.explanation)
    for r in a.records:
        mark = {"supports": "+", "refutes": "-"}.get(r.stance, " ")
        note = "" if r.grade.counts else f" [not counted: {r.grade.note}]"
        click.echo(f" {mark} PMID {r.hit.pmid} {r.hit.pub_year or ''} {r.grade.design}{note}: "
                   f"{(r.hit.title or '')[:90]}")
        if r.stance != "neutral" and r.quote:
            click.echo(f"     “{r.quote}”")
    sys.exit(0)
