"""The editors' report: an index ranked worst first, a page per article, filter pages, a
data-quality page and exports of the flagged claims, all escaped."""

from __future__ import annotations

import csv
from datetime import datetime, timezone

from factcheck.clean.result import CleanResult
from factcheck.ingest.document import Document, sha256_hex
from factcheck.quality.checks import CheckResult
from factcheck.report.build import build_report, csv_cell, md_text
from factcheck.store import articles as sa
from factcheck.store import claims as store_claims
from factcheck.store import runs as store_runs
from factcheck.store.evidence import mark_checked, replace_claim_evidence
from factcheck.store.reference import make_own_reference
from factcheck.store.quality import save_dq_results
from factcheck.store.rows import Claim, EvidenceRow, VerdictRow

QUOTE = "Ketamine <i>relieved</i> pain in 12 of 20 patients."


def add_article(con, source, body, title, verdicts, run_id="r1"):
    """Store an article whose claims are its sentences, with the given (label, flags) each."""
    data = body.encode()
    saved = sa.save_document(con, Document(
        source=source, source_kind="url" if source.startswith("http") else "file", text=body,
        content_type="text/plain", raw_bytes=len(data), content_hash=sha256_hex(data),
        fetched_at=datetime.now(timezone.utc)), run_id)
    sa.save_cleaned(con, saved.article_id, saved.version, CleanResult(title=title, body_text=body))
    claims, at = [], 0
    for sentence in body.split("\n\n")[1:]:
        start = body.index(sentence, at)
        at = start + len(sentence)
        claims.append(Claim(sentence=sentence, start=start, end=at, claim_type="efficacy",
                            certainty="absolute", polarity="positive", score=0.9,
                            reason="efficacy verb", intervention="ketamine", condition="pain"))
    store_claims.save_claims(con, saved.article_id, saved.version, claims, run_id)
    ids = [r[0] for r in con.execute("SELECT claim_id FROM claims WHERE article_id = ? AND version = ?"
                                     " ORDER BY seq", [saved.article_id, saved.version]).fetchall()]
    for claim_id, (label, flags) in zip(ids, verdicts):
        row = EvidenceRow(pmid=101, rank=1, score=2.0, on_topic=True, matched_terms=["ketamine"],
                          stance="supports" if label == "supported" else "refutes",
                          p_support=0.8, p_refute=0.05, quote=QUOTE, quote_section="results",
                          design="case_report", counts=True, grade=0.2)
        replace_claim_evidence(con, claim_id, [row], VerdictRow(
            label=label, confidence=0.8, flags=flags, explanation="PMID 101 decides it",
            flag_reasons=[f"reason for {f}" for f in flags], deciding_pmids=[101], coverage=1),
            run_id)
    return saved.article_id


def corpus(con):
    store_runs.start_run(con, "r1", "test", [])
    make_own_reference(con)   # this database holds its own PubMed table
    con.execute("INSERT INTO pubmed (pmid, title, abstract, study_design, is_retracted) VALUES "
                "(101, 'Ketamine for chronic pain', ?, 'case_report', true)", [QUOTE])
    mild = add_article(con, "https://a.example/mild", "Mild page\n\nKetamine eases pain.",
                       "Mild <em>page</em>", [("supported", ["figure_not_found"])])
    worst = add_article(con, "https://b.example/worst",
                        "Worst page\n\nKetamine <b>cures</b> pain.\n\n=HYPERLINK(\"http://x\") ketamine heals.",
                        None, [("contradicted", ["contradicted_by_stronger_evidence"]),
                               ("supported", ["overstated_certainty"])])
    clean = add_article(con, "/data/articles/clean-post.html", "Clean post body\n\nKetamine helps pain.",
                        None, [("supported", [])])
    return {"mild": mild, "worst": worst, "clean": clean}


def test_index_ranks_articles_worst_first_and_links_their_pages(con, tmp_path):
    ids = corpus(con)
    paths = build_report(con, tmp_path, "r1")
    index = paths.html.read_text()
    toc = index[index.index('id="articles"'):]
    # the contradicted one (severity 3 + 2) before the one with a detail to check, then the clean one
    assert toc.index(f'articles/{ids["worst"]}.html') < toc.index(f'articles/{ids["mild"]}.html') \
        < toc.index(f'articles/{ids["clean"]}.html')
    assert "1 serious" in toc and "1 overstated" in toc and "1 to check" in toc
    # titles: the page's own (escaped), else the first line of the text, never the file name
    assert "Mild &lt;em&gt;page&lt;/em&gt;" in toc and "<em>page</em>" not in toc
    assert "Worst page" in toc and "Clean post body" in toc and "clean-post.html" not in toc
    for article_id in ids.values():
        assert (paths.html.parent / "articles" / f"{article_id}.html").exists()
    # every article is new in this run; all three flags are new tonight
    assert index.count('class="new"') == 3
    assert "3 new flags, 0 resolved, 0 verdicts changed" in index


def test_lists_across_articles_put_each_claims_gravest_flag_first(con, tmp_path):
    """An article with many overstated claims ranks above one with a single claim contradicted
    by stronger evidence, but the lists across articles (still open, new flags, by flag) put
    that serious claim first: it was listed after every claim of the busier article."""
    store_runs.start_run(con, "r1", "test", [])
    make_own_reference(con)
    con.execute("INSERT INTO pubmed (pmid, title, abstract, study_design) VALUES "
                "(101, 'Ketamine for chronic pain', ?, 'case_report')", [QUOTE])
    add_article(con, "https://busy.example/a", "Busy page\n\nKetamine cures pain.\n\nKetamine "
                "cures migraine.\n\nKetamine cures depression.", "Busy",
                [("supported", ["overstated_certainty"])] * 3)
    add_article(con, "https://quiet.example/b", "Quiet page\n\nKetamine heals nerves.", "Quiet",
                [("contradicted", ["contradicted_by_stronger_evidence"])])
    paths = build_report(con, tmp_path, "r1")
    index = paths.html.read_text()
    toc = index[index.index('id="articles"'):]
    assert toc.index("Busy") < toc.index("Quiet")                  # articles: busiest first
    new = index[index.index('id="new-flags"'):]
    assert new.index("heals nerves") < new.index("cures pain")      # new flags: gravest first
    still_open = (paths.html.parent / "by" / "open.html").read_text()
    assert still_open.index("heals nerves") < still_open.index("cures pain")


def test_a_report_is_known_as_factchecks_own(con, tmp_path):
    from factcheck.report.build import is_report

    corpus(con)
    assert is_report(build_report(con, tmp_path / "out", "r1").html.parent)
    assert not is_report(tmp_path / "elsewhere")


def test_this_run_says_how_many_verdicts_it_judged_and_how_many_it_kept(con, tmp_path):
    corpus(con)
    first = build_report(con, tmp_path / "first", "r1").html.read_text()
    section = first[first.index('id="this-run"'):first.index("</section>", first.index('id="this-run"'))]
    assert "Verdicts judged: 4 (" in section and "kept" not in section    # no others to keep
    store_runs.start_run(con, "r2", "test", [])
    mark_checked(con, "r2")                                 # a night that judged nothing
    second = build_report(con, tmp_path / "second", "r2").html.read_text()
    assert "No verdict needed judging again: 4 checked and kept" in second


def test_the_article_page_highlights_each_claim_by_verdict_and_escapes_it(con, tmp_path):
    ids = corpus(con)
    paths = build_report(con, tmp_path, "r1")
    page = (paths.html.parent / "articles" / f"{ids['worst']}.html").read_text()
    assert "<title>Worst page · factcheck</title>" in page
    assert 'href="https://b.example/worst"' in page
    text = page[page.index('id="text"'):]
    assert '<mark class="contradicted flagged"' in text and '<mark class="supported flagged"' in text
    assert 'href="#c-0"' in text and 'id="c-0"' in page
    assert "Ketamine &lt;b&gt;cures&lt;/b&gt; pain." in text and "<b>cures</b>" not in page
    # the evidence card: PMID link, design, retracted badge, quoted sentence (escaped)
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/101/"' in page
    assert '<span class="retracted">retracted</span>' in page and "case report" in page
    assert "Ketamine &lt;i&gt;relieved&lt;/i&gt; pain" in page and "<i>relieved</i>" not in page
    assert "reason for contradicted_by_stronger_evidence" in page
    # links back up one folder
    assert 'href="../index.html"' in page and 'href="../quality.html"' in page


def test_filter_pages_list_claims_by_verdict_flag_and_site(con, tmp_path):
    ids = corpus(con)
    paths = build_report(con, tmp_path, "r1")
    index = paths.html.read_text()
    by = paths.html.parent / "by"
    assert "contradicted (1)" in index and "supported (3)" in index
    assert "overstated certainty (1)" in index and "b.example (2)" in index
    page = (by / "verdict-contradicted.html").read_text()
    assert page.count("<li>") == 1 and f"../articles/{ids['worst']}.html#c-0" in page
    page = (by / "flag-figure_not_found.html").read_text()
    assert page.count("<li>") == 1 and f"../articles/{ids['mild']}.html#c-0" in page
    site_pages = {p.name for p in by.glob("site-*.html")}
    assert len(site_pages) == 3 and any(n.startswith("site-b-example-") for n in site_pages)


def test_exports_of_flagged_claims_are_safe_for_spreadsheets_and_markdown(con, tmp_path):
    corpus(con)
    paths = build_report(con, tmp_path, "r1")
    with paths.csv.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 3   # the three flagged claims, worst first
    assert rows[0]["verdict"] == "contradicted" and rows[0]["article_title"] == "Worst page"
    formula = next(r for r in rows if "HYPERLINK" in r["claim"])
    assert formula["claim"].startswith("'=HYPERLINK")
    assert "PMID 101 supports" in formula["evidence"]
    assert rows[-1]["report_page"].startswith("articles/") and "#c-0" in rows[-1]["report_page"]
    md = paths.markdown.read_text()
    assert md.startswith("# Flagged health claims (3)")
    assert "&lt;b&gt;cures&lt;/b&gt;" in md and "<b>" not in md
    assert "[PMID 101](https://pubmed.ncbi.nlm.nih.gov/101/)" in md
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)" and csv_cell("Ketamine") == "Ketamine"
    assert md_text("[click](javascript:x) *bold*") == "\\[click\\]\\(javascript:\u200bx\\) \\*bold\\*"
    # Streamlit typesets $…$ and turns :smile: and :material/warning: into emoji and icons
    assert md_text("$5 to $10 :smile: :material/warning: at 10:30") == (
        "\\$5 to \\$10 :\u200bsmile: :\u200bmaterial/warning: at 10:30")


def test_the_quality_page_lists_every_check_with_sample_failing_values(con, tmp_path):
    corpus(con)
    save_dq_results(con, "r1", [
        CheckResult("claims", "expect_column_values_to_be_in_set", "claim_type", False, "error",
                    '{"unexpected_count": 2, "partial_unexpected_list": ["<script>x</script>", "odd"]}'),
        CheckResult("articles", "expect_column_values_to_not_be_null", "source", True, "error",
                    '{"unexpected_count": 0}'),
    ])
    paths = build_report(con, tmp_path, "r1")
    page = (paths.html.parent / "quality.html").read_text()
    assert "2 checks" in page and "1 blocking failures" in page
    assert "&lt;script&gt;x&lt;/script&gt; · odd" in page and "<script>" not in page
    assert page.index("failed") < page.index("passed")
    assert "1/2" in paths.html.read_text()


def test_pages_have_no_script_and_no_external_resource(con, tmp_path):
    corpus(con)
    paths = build_report(con, tmp_path, "r1")
    for page in paths.html.parent.rglob("*.html"):
        html = page.read_text()
        assert "default-src 'none'" in html and "<script" not in html.lower()
        assert 'src="http' not in html and "<link" not in html
        assert 'name="viewport"' in html


def test_a_new_version_of_an_article_is_compared_sentence_by_sentence(con, tmp_path):
    """An edited article gets new claim ids; its unchanged flagged sentence is not a new flag,
    a flagged sentence it dropped is a resolved flag, a new flagged sentence is a new flag."""
    store_runs.start_run(con, "r1", "test", [])
    make_own_reference(con)   # this database holds its own PubMed table
    con.execute("INSERT INTO pubmed (pmid, title, abstract, study_design) VALUES "
                "(101, 'Ketamine for chronic pain', ?, 'case_report')", [QUOTE])
    source = "https://a.example/post"
    add_article(con, source, "Post\n\nKetamine cures pain.\n\nKetamine cures gout.",
                "Post", [("supported", ["overstated_certainty"]), ("supported", ["figure_not_found"])])
    store_runs.finish_run(con, "r1", "completed")
    store_runs.start_run(con, "r2", "test", [])
    add_article(con, source, "Post\n\nKetamine  cures pain.\n\nKetamine cures asthma.",
                "Post", [("supported", ["overstated_certainty"]), ("contradicted", ["contradicted_by_stronger_evidence"])],
                run_id="r2")
    index = build_report(con, tmp_path, "r2").html.read_text()
    run = index[index.index('id="this-run"'):index.index("</section>", index.index('id="this-run"'))]
    assert "1 new flag, 1 resolved, 0 verdicts changed" in run
    new = run[run.index('id="new-flags"'):run.index('id="resolved-flags"')]
    assert "Ketamine cures asthma." in new and "cures pain" not in new
    resolved = run[run.index('id="resolved-flags"'):]
    assert "“Ketamine cures gout.”: no longer in the article's new version" in resolved
    assert "figure not found" in resolved
    # a later edit is compared with the version before it, not with every earlier one: the
    # sentence version 2 dropped is not resolved a second time
    store_runs.finish_run(con, "r2", "completed")
    store_runs.start_run(con, "r3", "test", [])
    add_article(con, source, "Post\n\nKetamine  cures pain.\n\nKetamine cures asthma.\n\nSee us.",
                "Post", [("supported", ["overstated_certainty"]), ("contradicted", ["contradicted_by_stronger_evidence"])],
                run_id="r3")
    index = build_report(con, tmp_path / "r3", "r3").html.read_text()
    run = index[index.index('id="this-run"'):index.index("</section>", index.index('id="this-run"'))]
    assert "0 new flags, 0 resolved, 0 verdicts changed" in run and "cures gout" not in run


def test_an_unchanged_article_page_is_taken_from_the_previous_report(con, tmp_path):
    """The report's cost follows what changed: a page whose article, claims, verdicts, evidence
    and decisions are as before is copied from the published report, a changed one rendered."""
    ids = corpus(con)
    store_runs.start_run(con, "r2", "test", [])   # the articles are no longer new tonight
    first = build_report(con, tmp_path / "one", "r2")
    previous = first.html.parent
    # mark the copies so that a page taken from the previous report can be told apart
    for article_id in ids.values():
        page = previous / "articles" / f"{article_id}.html"
        page.write_text(page.read_text() + "<!-- from r1 -->")
    # tonight: a new verdict for the worst article's first claim, nothing else changes
    claim_id = con.execute("SELECT claim_id FROM claims WHERE article_id = ? ORDER BY seq LIMIT 1",
                           [ids["worst"]]).fetchone()[0]
    replace_claim_evidence(con, claim_id, [], VerdictRow(
        label="not_addressed", confidence=0.5, flags=[], explanation="nothing on it",
        flag_reasons=[], deciding_pmids=[], coverage=0), "r2")
    second = build_report(con, tmp_path / "two", "r2", previous=previous)
    pages = second.html.parent / "articles"
    assert "<!-- from r1 -->" in (pages / f"{ids['mild']}.html").read_text()
    assert "<!-- from r1 -->" in (pages / f"{ids['clean']}.html").read_text()
    worst = (pages / f"{ids['worst']}.html").read_text()
    assert "<!-- from r1 -->" not in worst and "nothing on it" in worst
    # an editor's decision changes a page too
    from factcheck.store.triage import Decision, sentence_key

    sentence, flags = con.execute("SELECT c.sentence, v.flags FROM claims c JOIN verdicts v USING (claim_id)"
                                  " WHERE c.article_id = ?", [ids["mild"]]).fetchone()
    decided = Decision(ids["mild"], sentence_key(sentence), "x", sentence, list(flags), "reviewed",
                       "checked the figure", "ed", datetime(2026, 12, 6))
    third = build_report(con, tmp_path / "three", "r2", previous=second.html.parent,
                         decisions={(ids["mild"], sentence_key(sentence)): decided})
    pages = third.html.parent / "articles"
    mild = (pages / f"{ids['mild']}.html").read_text()
    assert "<!-- from r1 -->" not in mild and "checked the figure" in mild
    assert "<!-- from r1 -->" in (pages / f"{ids['clean']}.html").read_text()
    assert second.pages == third.pages
    # a kept page is linked, not copied; drawing the new page left the published one as it was
    assert (pages / f"{ids['clean']}.html").samefile(second.html.parent / "articles" / f"{ids['clean']}.html")
    assert "<!-- from r1 -->" in (second.html.parent / "articles" / f"{ids['mild']}.html").read_text()
    # a leftover linked page in the folder being built is replaced, never written through
    leftover = tmp_path / "four" / "report" / "articles" / f"{ids['mild']}.html"
    leftover.parent.mkdir(parents=True)
    leftover.hardlink_to(second.html.parent / "articles" / f"{ids['mild']}.html")
    build_report(con, tmp_path / "four", "r2", previous=second.html.parent,
                 decisions={(ids["mild"], sentence_key(sentence)): decided})
    assert "checked the figure" in leftover.read_text()
    assert "<!-- from r1 -->" in (second.html.parent / "articles" / f"{ids['mild']}.html").read_text()
    # a record the pages show changed (its title corrected) with no verdict changed: drawn again
    con.execute("UPDATE pubmed SET title = 'Ketamine for chronic pain (corrected)' WHERE pmid = 101")
    fifth = build_report(con, tmp_path / "five", "r2", previous=third.html.parent,
                         decisions={(ids["mild"], sentence_key(sentence)): decided})
    for article_id in ids.values():
        page = (fifth.html.parent / "articles" / f"{article_id}.html").read_text()
        assert "<!-- from r1 -->" not in page and "chronic pain (corrected)" in page


def test_the_exports_take_the_parts_of_unchanged_articles_from_the_published_ones(con, tmp_path, monkeypatch):
    """``claims.jsonl``, ``flagged.csv`` and ``flagged.md`` are those a build from scratch
    writes, with only the changed articles' parts drawn; a published file that is not the one
    the manifest recorded (edited by hand) is not reused."""
    import factcheck.report.build as build

    ids = corpus(con)
    store_runs.start_run(con, "r2", "test", [])
    first = build_report(con, tmp_path / "one", "r2")
    claim_id = con.execute("SELECT claim_id FROM claims WHERE article_id = ? ORDER BY seq LIMIT 1",
                           [ids["worst"]]).fetchone()[0]
    replace_claim_evidence(con, claim_id, [], VerdictRow(
        label="not_addressed", confidence=0.5, flags=["figure_not_found"], explanation="nothing on it",
        flag_reasons=["no figure"], deciding_pmids=[], coverage=0), "r2")
    drawn = {name: [] for name in ("jsonl_part", "csv_part", "md_part")}
    for name, calls in drawn.items():
        render = getattr(build, name)
        monkeypatch.setattr(build, name, lambda claims, render=render, calls=calls: (
            calls.append(claims[0]["article_id"]), render(claims))[1])
    second = build_report(con, tmp_path / "two", "r2", previous=first.html.parent)
    assert drawn == {"jsonl_part": [ids["worst"]], "csv_part": [ids["worst"]], "md_part": [ids["worst"]]}
    monkeypatch.undo()
    fresh = build_report(con, tmp_path / "fresh", "r2")

    def same(a, b):
        def text(p):   # the Markdown names the minute it was generated
            return [ln for ln in p.read_text(encoding="utf-8").splitlines() if not ln.startswith("Generated ")]
        assert text(a) == text(b)

    for built in (second, fresh):
        assert "nothing on it" in built.jsonl.read_text(encoding="utf-8")
    for export in ("jsonl", "csv", "markdown"):
        same(getattr(second, export), getattr(fresh, export))
    assert second.jsonl.read_bytes() == fresh.jsonl.read_bytes()
    assert second.csv.read_bytes() == fresh.csv.read_bytes()
    # an edited published file: every part drawn again, the output still a build's from scratch
    second.jsonl.write_text(second.jsonl.read_text(encoding="utf-8").replace("Ketamine", "Ketamin"),
                            encoding="utf-8")
    third = build_report(con, tmp_path / "three", "r2", previous=second.html.parent)
    assert third.jsonl.read_bytes() == fresh.jsonl.read_bytes()
    assert third.csv.read_bytes() == fresh.csv.read_bytes()


def test_a_long_filter_page_lists_the_first_claims_and_says_how_many_more(con, tmp_path, monkeypatch):
    from factcheck.report import build

    corpus(con)
    monkeypatch.setattr(build, "LIST_LIMIT", 1)
    paths = build_report(con, tmp_path, "r1")
    page = (paths.html.parent / "by" / "verdict-supported.html").read_text()
    assert "3 claims. The first 1 are listed" in page and page.count('<li>') == 1
