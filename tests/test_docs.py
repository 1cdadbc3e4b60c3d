"""The README's examples stay true: its sources file parses and its SQL runs on a real database."""

import re
from pathlib import Path

import pytest

from factcheck.ingest.web import load_sources
from factcheck.store.db import connect

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
SCHEMA = (Path(__file__).resolve().parents[1] / "docs" / "schema.md").read_text()


def blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def test_readme_sources_example_is_a_valid_sources_file(tmp_path):
    (example,) = blocks(README, "toml")
    path = tmp_path / "sources.toml"
    path.write_text(example)
    config = load_sources(path)
    assert [site.name for site in config.sites] == ["sunrise-clinic"]


def documented_queries() -> list[str]:
    """Every statement of the ```sql blocks in the README and the schema reference."""
    found = []
    for doc in (README, SCHEMA):
        for block in blocks(doc, "sql"):
            for statement in block.split(";"):
                code = "\n".join(line for line in statement.splitlines()
                                 if not line.strip().startswith("--")).strip()
                if code:
                    found.append(code)
    return found


@pytest.mark.parametrize("sql", documented_queries())
def test_documented_queries_run_on_the_schema(sql):
    with connect(None) as con:
        con.execute(sql).fetchall()
