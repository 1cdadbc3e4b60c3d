"""``factcheck claims PATH``: the claims found in one file."""

from __future__ import annotations

import json
import sys
from contextlib import closing

import click

from ..claims import judge_sentences
from ..claims.limits import bounded_body, bounded_claims
from ..clean import clean_document
from ..ingest import read_file


def _vocabulary(db: str | None) -> list[str] | None:
    """MeSH descriptor names of the pubmed table of ``db`` (None without a database)."""
    if db is None:
        return None
    from ..pipeline import mesh_vocabulary
    from ..store.db import connect

    with closing(connect(db, read_only=True)) as con:
        return mesh_vocabulary(con)


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object per claim (sentence, offsets, type, certainty, "
                   "polarity, score, reason, intervention, condition, outcome, mesh_terms).")
@click.option("--db", type=click.Path(exists=True, dir_okay=False),
              help="Normalise concepts with the MeSH vocabulary of this database's PubMed reference "
                   "(reference.duckdb beside it).")
@click.option("--explain", is_flag=True,
              help="Print every sentence with its decision and the reason for it.")
def claims(path: str, as_json: bool, db: str | None, explain: bool) -> None:
    """Print the check-worthy health claims found in one HTML or text file.

    The file is cleaned first (as `factcheck clean` does); offsets refer to the cleaned body,
    headline first, as the pipeline stores it. The claims are those a run stores: a sentence
    the article repeats word for word is one claim, and the body is read within the claims
    stage's limits (each cut is said on standard error).
    """
    doc = read_file(path)
    if not doc.ok:
        click.echo(f"error: {doc.error}", err=True)
        sys.exit(1)
    text = clean_document(doc.text, doc.content_type, url=None).stored().body_text
    vocabulary = _vocabulary(db)
    if explain:
        read = bounded_body(text)
        for span, verdict in judge_sentences(read, vocabulary):
            mark = "CLAIM" if verdict.worthy else "-    "
            click.echo(f"{mark} {verdict.score:.2f} {span.text}\n      {verdict.reason}")
        if len(read) < len(text):
            click.echo(f"note: read the first {len(read):,} of {len(text):,} characters, as a run "
                       "does", err=True)
        return
    found, cuts = bounded_claims(text, vocabulary)
    for cut in cuts:
        click.echo(f"note: {cut.message.removeprefix('limit: ')}", err=True)
    for claim in found:
        if as_json:
            click.echo(json.dumps(claim.to_dict(), ensure_ascii=False))
        else:
            parts = [p for p in (claim.intervention, claim.condition, claim.outcome) if p]
            structure = f"  ({' / '.join(parts)})" if parts else ""
            click.echo(f"[{claim.claim_type}/{claim.certainty}/{claim.polarity} "
                       f"{claim.score:.2f}] {claim.sentence}{structure}")
