"""Run the pipeline's stages as plain functions over local files (tests that need a database
with claims and verdicts, without the Prefect flow)."""

from __future__ import annotations

from pathlib import Path

from factcheck import pipeline


def run_stages(db: Path, files: list[Path], *, evidence: bool = True) -> str:
    """Ingest, clean, extract claims and (unless ``evidence=False``) judge them; the run id."""
    run = pipeline.start_run(db, pipeline.new_run_id("test"), "test", [])
    pipeline.ingest_stage(db, [str(f) for f in files], run)
    pipeline.clean_stage(db, run)
    pipeline.claims_stage(db, run)
    if evidence:
        pipeline.evidence_stage(db, run)
    return run
