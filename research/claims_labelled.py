"""The labelled sentences in ``data/labelled/`` (see its README): loading and aligning.

Used by the evaluation script (``benchmarks/eval_claims.py``) and by the model training
(``python -m research.claims_train``), so both read the labels the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "data" / "labelled"


@dataclass
class Row:
    """One labelled sentence and its offsets in the text."""

    worthy: bool
    claim_type: str | None
    certainty: str | None
    sentence: str
    start: int = -1
    end: int = -1


@dataclass
class LabelledText:
    id: str
    split: str
    style: str
    text: str
    rows: list[Row]


def load_rows(labels_path: Path, text: str) -> list[Row]:
    """Label rows with their offsets in ``text``; raises ValueError naming the row not found."""
    rows: list[Row] = []
    cursor = 0
    for lineno, line in enumerate(labels_path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 4 or parts[0] not in ("Y", "N"):
            raise ValueError(f"{labels_path}:{lineno}: expected 'Y|N<TAB>type<TAB>certainty"
                             f"<TAB>sentence', got {line[:60]!r}")
        worthy = parts[0] == "Y"
        row = Row(worthy, parts[1] if worthy else None, parts[2] if worthy else None, parts[3])
        pos = text.find(row.sentence, cursor)
        if pos < 0:
            raise ValueError(f"{labels_path}:{lineno}: sentence not found in the text after "
                             f"offset {cursor}: {row.sentence[:60]!r}")
        row.start, row.end = pos, pos + len(row.sentence)
        cursor = row.end
        rows.append(row)
    return rows


def load_texts(directory: Path = DEFAULT_DIR,
               splits: tuple[str, ...] = ("dev", "test")) -> Iterator[LabelledText]:
    """Every labelled text of the given splits, in manifest order."""
    manifest_path = directory / "manifest.json"
    if not manifest_path.exists():
        raise FileNotFoundError(f"{manifest_path}: no labelled data here (run from a checkout of "
                                "the repository, or pass its data/labelled directory)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["texts"]:
        if entry["split"] not in splits:
            continue
        text = (directory / entry["text"]).read_text(encoding="utf-8")
        rows = load_rows(directory / entry["labels"], text)
        yield LabelledText(entry["id"], entry["split"], entry["style"], text, rows)


def label_of(rows: list[Row], start: int, end: int) -> Row | None:
    """The labelled row that overlaps ``start:end`` most (None when none does)."""
    best, best_overlap = None, 0
    for row in rows:
        overlap = max(0, min(row.end, end) - max(row.start, start))
        if overlap > best_overlap:
            best, best_overlap = row, overlap
    return best
