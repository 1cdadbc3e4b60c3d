"""``factcheck claims PATH``: the claims found in one file."""

from __future__ import annotations

import json
import sys

import click

from ..claims import extract_claims
from ..clean import clean_document
from ..ingest import read_file


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the claims as JSON lines.")
def claims(path: str, as_json: bool) -> None:
    """Print the check-worthy health claims found in one HTML or text file."""
    doc = read_file(path)
    if not doc.ok:
        click.echo(f"error: {doc.error}", err=True)
        sys.exit(1)
    cleaned = clean_document(doc.text, doc.content_type, url=None)
    found = extract_claims(cleaned.body_text)
    for claim in found:
        if as_json:
            click.echo(json.dumps(claim.to_dict(), ensure_ascii=False))
        else:
            click.echo(f"[{claim.claim_type}/{claim.certainty}] {claim.sentence}")
