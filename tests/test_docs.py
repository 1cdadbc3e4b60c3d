"""The README's examples stay true: its sources file parses and its SQL runs on a real database."""

import re
from pathlib import Path

import pytest

from factcheck.ingest.web import load_sources
from factcheck.store.db import connect
from factcheck.store.reference import connect_reference

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
SCHEMA = (Path(__file__).resolve().parents[1] / "docs" / "schema.md").read_text()
SOURCES = (Path(__file__).resolve().parents[1] / "docs" / "sources.md").read_text()


def blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def test_readme_sources_example_is_a_valid_sources_file(tmp_path):
    (example,) = blocks(README, "toml")
    path = tmp_path / "sources.toml"
    path.write_text(example)
    config = load_sources(path)
    assert [site.name for site in config.sites] == ["sunrise-clinic"]


def documented_queries() -> list[list[str]]:
    """The statements of each ```sql block in the README, the schema reference and the crawling
    reference (a block's statements run in order on one connection: an ATTACH, then queries
    that use it)."""
    found = []
    for doc in (README, SCHEMA, SOURCES):
        for block in blocks(doc, "sql"):
            statements = []
            for statement in block.split(";"):
                code = "\n".join(line for line in statement.splitlines()
                                 if not line.strip().startswith("--")).strip()
                if code:
                    statements.append(code)
            found.append(statements)
    return found


@pytest.mark.parametrize("statements", documented_queries(), ids=lambda s: s[0][:60])
def test_documented_queries_run_on_the_schema(statements, tmp_path, monkeypatch):
    import duckdb

    from factcheck.store.triage import SCHEMA as TRIAGE_SCHEMA

    # an out/ folder as the demo leaves it, with the editors' triage database beside it
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    with duckdb.connect(str(tmp_path / "out" / "triage.duckdb")) as triage:
        triage.execute(TRIAGE_SCHEMA)
    # and the two files the analysts' ATTACH names
    connect(tmp_path / "out" / "factcheck.duckdb").close()
    connect_reference(tmp_path / "out" / "reference.duckdb").close()
    # a block that attaches the published files runs as in any DuckDB client; the others on
    # factcheck's own connection (the reference attached)
    analyst_client = statements[0].startswith("ATTACH 'out/factcheck.duckdb'")
    with (duckdb.connect() if analyst_client else connect(None)) as con:
        for sql in statements:
            con.execute(sql).fetchall()
