"""``factcheck clean PATH``: the cleaned body of one file, with ``--json`` its metadata and
the audit trail of removed blocks."""

from __future__ import annotations

import json
import sys

import click

from ..clean import clean_document
from ..ingest import read_file


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True,
              help="Print title, author, date, language, body and the removed blocks "
                   "(kind, text, reason) as JSON.")
def clean(path: str, as_json: bool) -> None:
    """Print the cleaned body of one HTML or text file.

    Exits with status 1 when the file cannot be read or nothing is left after cleaning
    (the reason goes to stderr, and into the JSON's "error" with --json).
    """
    doc = read_file(path)
    if not doc.ok:
        click.echo(f"error: {doc.error}", err=True)
        sys.exit(1)
    for _kind, warning in doc.warnings:
        click.echo(f"warning: {warning}", err=True)
    # what a run stores: the headline put back at the top of the body (claim offsets, and
    # ``factcheck claims``, point into this text)
    result = clean_document(doc.text, doc.content_type, url=None).stored()
    if as_json:
        click.echo(json.dumps({"source": doc.source, "content_type": doc.content_type,
                               **result.to_dict()}, ensure_ascii=False, indent=2))
    elif result.body_text:
        click.echo(result.body_text)
    if result.error:
        if not as_json:
            click.echo(f"error: {doc.source}: {result.error}", err=True)
        sys.exit(1)
