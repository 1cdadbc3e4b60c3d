"""The hostile-input corpus (``hostile_corpus.py``, generated at test time): every case is
handled within its bounds and says what happened (issue 16).

Per case: at most 10 s of CPU, the recorded error or cut the corpus expects, at most
``MAX_CLAIMS`` claims per article. For the whole corpus: one process that runs every case
stays under 1 GB of peak memory above what the pipeline's own imports and models take. The
HTTP cases (``HTTP_CASES``) run in ``tests/ingest/web/test_web_hostile.py``, against the local
test site.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from hostile_corpus import CASES, HTTP_CASES, run_case

from factcheck.claims.limits import MAX_CLAIMS

pytestmark = pytest.mark.slow

MAX_CPU_S = 10.0
MAX_RSS_MB = 1024


def test_the_corpus_has_at_least_50_cases_across_html_text_xml_and_http():
    kinds = [case.kind for case in CASES] + ["http"] * len(HTTP_CASES)
    assert len(kinds) >= 50
    assert set(kinds) == {"html", "text", "pubmed", "http"}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_hostile_input_is_bounded_and_recorded(case, tmp_path):
    outcome = run_case(case, tmp_path)
    assert outcome.cpu_s <= MAX_CPU_S, f"{case.name} took {outcome.cpu_s:.1f} s of CPU"
    assert outcome.claims <= MAX_CLAIMS
    kind, _, wanted = case.expect.partition(": ")
    if kind == "error":
        assert outcome.error and wanted in outcome.error, outcome
    elif kind == "limit":
        assert any(wanted in reason for reason in outcome.limits), outcome
    elif kind == "refused":
        assert outcome.refused and wanted in outcome.error, outcome
    elif kind == "ok":
        assert outcome.error is None, outcome
    else:
        assert kind == "any"   # bounded and not crashing is the whole expectation


def test_the_whole_corpus_runs_in_bounded_memory(tmp_path):
    """One child process runs every html, text and PubMed case; its peak RSS stays under
    1 GB more than the same process after a one-page warm-up (models and imports)."""
    corpus = Path(__file__).with_name("hostile_corpus.py")
    src = Path(__file__).resolve().parents[1] / "src"
    warm = ("import sys, resource; sys.path[:0] = [{t!r}, {s!r}]; import hostile_corpus as h; "
            "h.process_document(h._page('<p>' + h.SENTENCES + '</p>'), 'text/html'); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    baseline = int(subprocess.run([sys.executable, "-c", warm.format(t=str(corpus.parent), s=str(src))],
                                  capture_output=True, text=True, check=True).stdout.split()[-1])
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, str(corpus), str(tmp_path)], capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(done.stdout.splitlines()) == len(CASES)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert peak >= before
    assert (peak - baseline) / 1024 < MAX_RSS_MB, f"peak {peak // 1024} MB, baseline {baseline // 1024} MB"
