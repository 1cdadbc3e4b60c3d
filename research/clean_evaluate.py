"""Scoring the cleaner against labelled pages: the project's own fixtures and gate.

The metric is the article-extraction benchmark's: tokens are ``\\w+`` runs, each text becomes
a bag of 4-gram shingles, and per-page precision/recall come from the shingle overlap.
Averages are macro (mean over pages), F1 is computed from the two means, as the benchmark
does. A fixture is ``NAME.expected.json`` beside ``NAME.html`` (or with a ``source`` path
relative to the repository root, for the bundled plain-text samples)::

    {"template": "...", "title": "...", "author_contains": "...", "published": "YYYY-MM-DD",
     "language": "en", "body": ["paragraph", ...], "removed": {"cta": ["snippet", ...], ...}}
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from factcheck.clean.html import clean_html
from factcheck.clean.result import CleanResult

_TOKEN = re.compile(r"\w+")
REPO_ROOT = Path(__file__).resolve().parents[1]


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def shingle_scores(expected: str, predicted: str, n: int = 4) -> tuple[float, float]:
    """(precision, recall) of ``predicted`` against ``expected`` on bags of n-gram shingles."""
    truth, pred = _shingles(expected, n), _shingles(predicted, n)
    tp = sum((truth & pred).values())
    fp = sum(pred.values()) - tp
    fn = sum(truth.values()) - tp
    precision = tp / (tp + fp) if tp + fp else (1.0 if not truth else 0.0)
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall


@dataclass
class Fixture:
    name: str
    path: Path                 # the page or text file
    content_type: str          # 'text/html' | 'text/plain'
    expected: dict

    @property
    def body(self) -> str:
        return "\n\n".join(self.expected["body"])

    def read(self) -> str:
        return self.path.read_text(encoding="utf-8")


def load_fixtures(directory: Path) -> list[Fixture]:
    """Every ``*.expected.json`` in ``directory`` with the page it describes."""
    fixtures = []
    for spec in sorted(directory.glob("*.expected.json")):
        expected = json.loads(spec.read_text(encoding="utf-8"))
        name = spec.name.removesuffix(".expected.json")
        if "source" in expected:
            path = REPO_ROOT / expected["source"]
        else:
            path = next(p for p in (directory / f"{name}.html", directory / f"{name}.txt") if p.exists())
        content_type = "text/html" if path.suffix in (".html", ".htm") else "text/plain"
        fixtures.append(Fixture(name, path, content_type, expected))
    return fixtures


@dataclass
class FixtureScore:
    name: str
    precision: float
    recall: float
    kinds_expected: set[str]
    kinds_found: set[str]
    problems: list[str] = field(default_factory=list)


def check_fixture(fixture: Fixture, result: CleanResult) -> FixtureScore:
    """Score one cleaned page against its expectations and list what is wrong with it."""
    precision, recall = shingle_scores(fixture.body, result.body_text)
    expected = fixture.expected
    problems = []
    paragraphs = set(result.body_text.split("\n\n"))
    for paragraph in expected["body"]:
        if paragraph not in paragraphs:
            problems.append(f"missing paragraph: {paragraph[:70]!r}")
    for kind, snippets in expected.get("removed", {}).items():
        for snippet in snippets:
            if snippet in result.body_text:
                problems.append(f"{kind} left in the body: {snippet[:70]!r}")
            elif not any(b.kind == kind and snippet in b.text for b in result.removed):
                problems.append(f"{kind} not recorded as removed: {snippet[:70]!r}")
    for key in ("title", "published", "language"):
        if key in expected and expected[key] != getattr(result, key):
            problems.append(f"{key}: expected {expected[key]!r}, got {getattr(result, key)!r}")
    author = expected.get("author_contains")
    if author and author not in (result.author or ""):
        problems.append(f"author: expected {author!r} in {result.author!r}")
    return FixtureScore(fixture.name, precision, recall, set(expected.get("removed", {})),
                        result.removed_kinds(), problems)


def summarise(scores: list[FixtureScore]) -> dict[str, float]:
    """Macro precision/recall, F1 of the two, and the share of expected removed kinds found."""
    precision = statistics.mean(s.precision for s in scores) if scores else 0.0
    recall = statistics.mean(s.recall for s in scores) if scores else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    expected = sum(len(s.kinds_expected) for s in scores)
    found = sum(len(s.kinds_expected & s.kinds_found) for s in scores)
    return {"f1": f1, "precision": precision, "recall": recall,
            "kinds_recall": found / expected if expected else 1.0,
            "pages_without_problems": sum(not s.problems for s in scores) / len(scores) if scores else 0.0}


def extract_for_benchmark(html: str) -> str:
    """Body text with every rule on (the product's behaviour): the benchmark's callable."""
    return clean_html(html).body_text


def extract_for_benchmark_keep_cta(html: str) -> str:
    """Body text keeping calls to action (the benchmark's ground truth keeps them)."""
    return clean_html(html, remove_cta=False).body_text
