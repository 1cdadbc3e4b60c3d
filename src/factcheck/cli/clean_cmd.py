"""``factcheck clean PATH``: the cleaned body of one file."""

from __future__ import annotations

import json
import sys

import click

from ..clean import clean_document
from ..ingest import read_file


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True,
              help="Print title, author, date, body and the removed blocks as JSON.")
def clean(path: str, as_json: bool) -> None:
    """Print the cleaned body of one HTML or text file."""
    doc = read_file(path)
    if not doc.ok:
        click.echo(f"error: {doc.error}", err=True)
        sys.exit(1)
    result = clean_document(doc.text, doc.content_type, url=None)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(result.body_text)
