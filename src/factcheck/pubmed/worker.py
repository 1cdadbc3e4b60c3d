"""Parse one PubMed XML file in a separate process: ``python -m factcheck.pubmed.worker
FILE OUT_DIR`` writes ``OUT_DIR/records.parquet`` (the ``pubmed`` staging schema, batch by
batch, so the worker's memory stays flat) and ``OUT_DIR/meta.json`` (deletions, skipped
articles, counts, or the parse error).

:func:`factcheck.pubmed.load.load_files` runs several of these at once so that parsing,
the slow part of a load, uses every core while the main process writes to DuckDB.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
from pathlib import Path



#: The loading process passes its PID here; the worker dies with it.
PARENT_ENV = "FACTCHECK_PUBMED_PARENT"   # internal: the loader tells its workers its PID (not a setting)


def die_with_parent() -> None:
    """Ask Linux to kill this worker when the loading process dies, even by kill -9 (no
    orphan parsing on after ``factcheck pubmed load`` is killed); exit at once if it has died
    already. Elsewhere a no-op."""
    parent = os.environ.get(PARENT_ENV)
    if not parent or not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)           # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != int(parent):             # the parent died before the prctl call
        os._exit(1)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m factcheck.pubmed.worker FILE OUT_DIR", file=sys.stderr)
        return 2
    die_with_parent()                           # first, before the slow imports
    import pyarrow.parquet as pq

    from ..store.pubmed_schema import STAGE_SCHEMA
    from .arrow import parse_file
    from .parse import PubmedParseError

    source, out_dir = Path(args[0]), Path(args[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        with pq.ParquetWriter(str(out_dir / "records.parquet"), STAGE_SCHEMA,
                              compression="snappy") as writer:
            parsed = parse_file(source, on_batch=writer.write_batch)
    except (PubmedParseError, OSError) as exc:
        meta = {"error": str(exc)}
    else:
        meta = {"deletions": parsed.deletions, "skipped": parsed.skipped,
                "n_records": parsed.n_records, "seconds": parsed.seconds}
    (out_dir / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
