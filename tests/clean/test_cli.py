"""``factcheck clean PATH [--json]`` on real files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from factcheck.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = next((ROOT / "data" / "seeds").glob("002_*.txt"))
PAGE = ROOT / "tests" / "fixtures" / "clean" / "wp_yarpp_ketamine_clinic.html"


def test_clean_prints_the_body_without_boilerplate():
    result = CliRunner().invoke(cli, ["clean", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "What is Ketamine Therapy?" in result.output
    assert "Contact us today to schedule a consultation" not in result.output


def test_clean_json_has_metadata_and_the_removed_blocks():
    result = CliRunner().invoke(cli, ["clean", str(PAGE), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["title"] == "Ketamine Infusions for CRPS: What Patients Should Know"
    assert data["published"] == "2024-02-14"
    assert data["content_type"] == "text/html"
    kinds = {block["kind"] for block in data["removed"]}
    assert {"related_posts", "share", "comments", "cookie_banner", "cta"} <= kinds
    assert all(block["reason"] for block in data["removed"])
    assert "Related posts" not in data["body_text"]


def test_clean_of_an_empty_file_fails_with_a_reason(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = CliRunner().invoke(cli, ["clean", str(empty)])
    assert result.exit_code == 1
    assert "empty" in result.output


def test_clean_of_a_script_only_page_says_why(tmp_path):
    page = tmp_path / "app.html"
    page.write_text("<html><body><div id='root'></div><script>render()</script></body></html>")
    result = CliRunner().invoke(cli, ["clean", str(page), "--json"])
    assert result.exit_code == 1
    assert "no visible text" in json.loads(result.stdout)["error"]
