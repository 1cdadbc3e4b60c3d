"""A hostile-input corpus, generated at test time (nothing large is committed).

Each :class:`Case` makes one input that has broken, stalled or bloated a pipeline like this
one (issue 16: 15 MB pages, single-line pages, 400,000-line texts, entity and gzip bombs,
encodings that hide declarations …) and says what the product must record for it. The cases
run through the same entry points as the nightly run:

* ``html`` / ``text``: :func:`process_document`, the clean stage then the claims stage with
  the claims stage's own bounds (``factcheck.claims.limits``);
* ``pubmed``: the streaming PubMed parser (``factcheck.pubmed.parse.iter_records``);
* ``http`` (in ``test_hostile.py``): the crawler against the local test site on 127.0.0.1.

``python tests/hostile_corpus.py DIR`` runs every html, text and pubmed case in one process
and prints one line per case (the memory test runs it as a child and reads its peak RSS).
"""

from __future__ import annotations

import gzip
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SENTENCES = ("Ketamine infusions relieve chronic pain for over three months in most patients. "
             "Vitamin D supplements reduce the risk of depression by 40 percent. "
             "Statins cause muscle pain in only a small minority of the people who take them. ")


@dataclass(frozen=True)
class Case:
    name: str
    kind: str                         # html | text | pubmed
    make: Callable[[Path], object]    # str for html/text; a file Path for pubmed
    expect: str                       # 'ok', 'error: <substring>', 'limit: <substring>', 'refused: <substring>'
    note: str = ""


def _page(body: str, head: str = "<title>Hostile</title>") -> str:
    return f"<!DOCTYPE html><html lang='en'><head>{head}</head><body>{body}</body></html>"


def numbered(i: int) -> str:
    """Three claim sentences that differ from those of every other ``i``."""
    return (f"Ketamine infusions relieve chronic pain for over {i + 3} months in most patients. "
            f"Vitamin D supplements reduce the risk of depression by {i % 90 + 5}.{i} percent. "
            f"Statins cause muscle pain in only {i + 2} of every 10,000 people who take them. ")


def _article(n: int) -> str:
    return "".join(f"<p>{numbered(i)}</p>" for i in range(n))


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _half(data: bytes) -> bytes:
    return data[:len(data) // 2]


def _gzip(path: Path, head: bytes, filler: bytes, repeat: int, tail: bytes) -> Path:
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(head)
        for _ in range(repeat):
            out.write(filler)
        out.write(tail)
    return path


RECORD = (b"<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>%s</ArticleTitle>"
          b"</Article></MedlineCitation></PubmedArticle>")
PROLOG = b'<?xml version="1.0"?>'


def _xml(body: bytes) -> bytes:
    return PROLOG + b"<PubmedArticleSet>" + body + b"</PubmedArticleSet>"


HTML_CASES = [
    Case("html_empty", "html", lambda d: "", "error: empty"),
    Case("html_whitespace", "html", lambda d: " \n\t " * 1000, "error: empty"),
    Case("html_nul_bytes", "html", lambda d: "<html>\x00\x00\x00" * 5000, "error: binary"),
    Case("html_png_bytes", "html", lambda d: bytes(range(256)).decode("latin-1") * 4000,
         "error: binary"),
    Case("html_15mb_article", "html", lambda d: _page(_article(60_000)),
         "limit: longer than", "15 MB of real article sentences: cut at 1,000,000 characters"),
    Case("html_5mb_single_line", "html",
         lambda d: _page("<div>" + "<span>pain relief</span>" * 220_000 + "</div>"),
         "limit: longer than"),
    Case("html_deep_nesting", "html", lambda d: _page("<div>" * 20_000 + SENTENCES + "</div>" * 20_000),
         "any", "libxml2 stops descending at 256 levels"),
    Case("html_250k_elements", "html", lambda d: _page("<br>" * 260_000), "error: elements",
         "refused as pathological (more than 200,000 elements after the 1,000,000-character cut)"),
    Case("html_unclosed_tags", "html", lambda d: _page("<p><b><i><u>" * 40_000 + SENTENCES),
         "any"),
    Case("html_script_only", "html",
         lambda d: _page("<script>" + "var x = 1;" * 100_000 + "</script>"), "error: no main content"),
    Case("html_huge_attribute", "html",
         lambda d: _page(f"<div data-x='{'a' * 3_000_000}'>{SENTENCES}</div>"), "limit: longer than"),
    Case("html_one_word_1m", "html", lambda d: _page("<p>" + "a" * 900_000 + "</p>"), "any"),
    Case("html_100k_paragraphs", "html", lambda d: _page("<p>Pain.</p>" * 100_000), "limit: more than 20000 elements",
         "cut at 1,000,000 characters, then after its 20,000th element before extraction"),
    Case("html_unclosed_comment", "html", lambda d: _page("<p>" + SENTENCES + "</p><!--" + "x" * 500_000),
         "any"),
    Case("html_cdata", "html", lambda d: _page("<![CDATA[" + SENTENCES * 1000 + "]]>"), "any"),
    Case("html_nul_in_article", "html", lambda d: _page(_article(20) + "\x00" + _article(20)), "any"),
    Case("html_replacement_chars", "html", lambda d: _page("\ufffd" * 200_000), "error: binary"),
    Case("html_zero_width_flood", "html", lambda d: _page("<p>" + "\u200b\u202e" * 200_000 + "</p>"),
         "any"),
    Case("html_table_100k_cells", "html",
         lambda d: _page("<table>" + "<tr>" + "<td>12 mg</td>" * 100 + "</tr>" * 1 + "</table>" * 1
                         + "<table>" + ("<tr>" + "<td>5 mg</td>" * 50 + "</tr>") * 2000 + "</table>"),
         "any"),
    Case("html_nested_lists", "html", lambda d: _page("<ul><li>" * 5000 + SENTENCES + "</li></ul>" * 5000),
         "any"),
    Case("html_inline_style_flood", "html",
         lambda d: _page(f"<p style='{'color:red;' * 200_000}'>{SENTENCES}</p>"), "limit: longer than"),
    Case("html_entity_flood", "html", lambda d: _page("<p>" + "&amp;" * 400_000 + "</p>"), "any"),
    Case("html_doctype_entities", "html",
         lambda d: '<?xml version="1.0"?><!DOCTYPE html [<!ENTITY a "' + "b" * 1000 + '">'
                   '<!ENTITY c "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' + _page("<p>&c;&c;&c; " + SENTENCES + "</p>"),
         "any", "HTML parsing never expands declared entities"),
    Case("html_data_uri_5mb", "html",
         lambda d: _page(f"<img src='data:image/png;base64,{'QUFB' * 1_200_000}'><p>{SENTENCES}</p>"),
         "limit: longer than"),
    Case("html_many_claims", "html", lambda d: _page(_article(4_000)), "limit: claims read from the first",
         "real sentences over 900,000 characters: claims bounded by the claims stage"),
]

TEXT_CASES = [
    Case("text_400k_short_lines", "text", lambda d: "Pain.\n" * 400_000, "limit: longer than"),
    Case("text_10mb_one_sentence", "text", lambda d: "ketamine relieves pain and " * 380_000,
         "limit: longer than"),
    Case("text_1m_char_line", "text", lambda d: "x" * 1_000_000, "any"),
    Case("text_control_characters", "text", lambda d: "\x01\x02\x03\x04" * 50_000, "error: binary"),
    Case("text_mixed_line_endings", "text", lambda d: (SENTENCES + "\r\n" + SENTENCES + "\r") * 5000,
         "any"),
    Case("text_blank_lines", "text", lambda d: "\n" * 2_000_000, "error: empty"),
    Case("text_many_claims", "text", lambda d: "\n\n".join(numbered(i) for i in range(8000)),
         "limit: claims read from the first"),
    Case("text_500_claims", "text", lambda d: "\n\n".join(numbered(i) for i in range(200)),
         "limit: distinct claims found", "600 distinct claims in 46,000 characters: 150 kept"),
    Case("html_repeated_article", "html", lambda d: _page(("<p>" + SENTENCES + "</p>") * 20_000),
         "limit: claims repeat an earlier sentence", "the same three sentences 20,000 times: judged once each"),
]

PUBMED_CASES = [
    Case("pubmed_billion_laughs", "pubmed", lambda d: _write(d / "laughs.xml", PROLOG + (
        b'<!DOCTYPE PubmedArticleSet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>') + b"<PubmedArticleSet>" + RECORD % b"&c;"
        + b"</PubmedArticleSet>"), "refused: internal subset"),
    Case("pubmed_external_entity", "pubmed", lambda d: _write(d / "xxe.xml", PROLOG + (
        b'<!DOCTYPE PubmedArticleSet [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
        + b"<PubmedArticleSet>" + RECORD % b"&x;" + b"</PubmedArticleSet>"), "refused: internal subset"),
    Case("pubmed_gzip_bomb_records", "pubmed", lambda d: _gzip(
        d / "bomb1.xml.gz", PROLOG + b"<PubmedArticleSet>", b"<DeleteCitation><PMID>1</PMID></DeleteCitation>" * 22_000, 200,
        b"</PubmedArticleSet>"), "refused: gzip bomb"),
    Case("pubmed_gzip_bomb_comment", "pubmed", lambda d: _gzip(
        d / "bomb2.xml.gz", PROLOG + b"<PubmedArticleSet><!--", b" " * 1_048_576, 200,
        b"--></PubmedArticleSet>"), "refused: gzip bomb"),
    Case("pubmed_truncated_gzip", "pubmed", lambda d: _write(
        d / "cut.xml.gz", _half(gzip.compress(_xml(b"".join(RECORD % str(i).encode() for i in range(3000)))))),
        "error: truncated or corrupt"),
    Case("pubmed_not_gzip", "pubmed", lambda d: _write(d / "fake.xml.gz", b"\x1f\x8b" + b"garbage" * 1000),
         "error: "),
    Case("pubmed_utf16_no_bom", "pubmed", lambda d: _write(
        d / "u16.xml", (PROLOG.decode() + '<!DOCTYPE PubmedArticleSet [<!ENTITY x "y">]><PubmedArticleSet/>')
        .encode("utf-16-le")), "refused: not UTF-8"),
    Case("pubmed_lt_in_doctype", "pubmed", lambda d: _write(
        d / "lt.xml", PROLOG + b'<!DOCTYPE PubmedArticleSet SYSTEM "a<PubmedArticleSet" '
                               b'[<!ENTITY x "y">]><PubmedArticleSet/>'), "refused: internal subset"),
    Case("pubmed_huge_text_node", "pubmed", lambda d: _write(
        d / "bigtext.xml", _xml(RECORD % (b"a" * 12_000_000))), "error: malformed XML",
        "libxml2 refuses a text node over 10 MB without huge_tree"),
    Case("pubmed_deep_nesting", "pubmed", lambda d: _write(
        d / "deep.xml", _xml(b"<PubmedArticle><MedlineCitation><PMID>1</PMID>" + b"<a>" * 20_000
                             + b"</a>" * 20_000 + b"</MedlineCitation></PubmedArticle>")),
        "error: malformed XML"),
    Case("pubmed_empty_file", "pubmed", lambda d: _write(d / "empty.xml", b""), "error: empty"),
    Case("pubmed_wrong_root", "pubmed", lambda d: _write(d / "root.xml", PROLOG + b"<html><body/></html>"),
         "error: "),
    Case("pubmed_oversized_prolog", "pubmed", lambda d: _write(
        d / "prolog.xml", PROLOG + b"<!--" + b" " * 70_000 + b"-->" + b"<PubmedArticleSet/>"),
        "refused: no root element"),
    Case("pubmed_record_million_elements", "pubmed", lambda d: _write(
        d / "elements.xml", _xml(b"<PubmedArticle><MedlineCitation><PMID>1</PMID>" + b"<x/>" * 1_100_000
                                 + b"</MedlineCitation></PubmedArticle>")),
        "refused: one record passes", "a plain file: no gzip ratio to judge, the record bound stops it"),
    Case("pubmed_record_many_text_nodes", "pubmed", lambda d: _write(
        d / "texts.xml", _xml(b"<PubmedArticle><MedlineCitation><PMID>1</PMID>"
                              + (b"<x>" + b"a" * 4_000_000 + b"</x>") * 6
                              + b"</MedlineCitation></PubmedArticle>")),
        "refused: one record passes", "each node under libxml2's 10 MB limit, 24 MB together"),
    Case("pubmed_many_deletions", "pubmed", lambda d: _write(
        d / "del.xml", _xml(b"<DeleteCitation>" + b"".join(b"<PMID Version=\"1\">%d</PMID>" % i
                                                            for i in range(1, 200_001))
                            + b"</DeleteCitation>")), "ok"),
]

CASES = HTML_CASES + TEXT_CASES + PUBMED_CASES

#: HTTP cases, served by the local test site of ``tests/ingest/web`` (127.0.0.1):
#: (path, the fetch_log error kind) — each endpoint is hostile in one way.
HTTP_CASES = [
    ("/huge", "too_large"),                 # a body past crawl_max_body_bytes while streaming
    ("/huge-declared", "too_large"),        # a Content-Length past the cap: not downloaded
    ("/bomb.xml", "hostile_xml"),           # a feed declaring entities
    ("/trickle", "timeout"),                # a body at a few bytes a second
    ("/loop/a", "redirect"),                # a redirect loop
    ("/to-metadata?form=plain", "blocked_address"),    # a redirect to 169.254.169.254
    ("/to-metadata?form=decimal", "blocked_address"),
    ("/to-metadata?form=mapped", "blocked_address"),
    ("/always-500", "http"),                # retried, then given up
    ("/image.jpg", "content_type"),         # not an article
    ("/binary.html", "binary"),             # binary bytes served as HTML
    ("/bad-redirect", "redirect"),          # a Location that is not a URL
]



@dataclass
class Outcome:
    name: str
    cpu_s: float
    error: str | None = None        # the recorded error (clean result) or the exception message
    limits: tuple[str, ...] = ()    # 'limit:' reasons recorded by the cleaner and the claims stage
    claims: int = 0
    refused: bool = False           # a HostileXMLError
    records: int = 0


def process_document(text: str, content_type: str) -> tuple[object, list, list[str]]:
    """What the nightly run does with one stored document: clean it (the clean stage's
    ``clean_document``), then extract its claims within the claims stage's bounds (its own
    ``bounded_claims``). Returns (clean result, claims, the claims stage's cuts)."""
    from factcheck.claims.limits import bounded_claims
    from factcheck.clean import clean_document

    result = clean_document(text, content_type)
    claims, cuts = [], []
    if result.body_text and not result.error:
        claims, found = bounded_claims(result.body_text)
        cuts = [cut.message for cut in found]
    return result, claims, cuts


_WARM = []


def warm() -> None:
    """Load the models and compile the rules once (a one-time cost of the run, not of any
    input), so each case's CPU time is its own."""
    if not _WARM:
        process_document(_page(f"<p>{SENTENCES}</p>"), "text/html")
        _WARM.append(True)


def run_case(case: Case, folder: Path) -> Outcome:
    from factcheck.pubmed.parse import HostileXMLError, PubmedParseError, iter_records

    warm()
    made = case.make(folder)
    started = time.process_time()
    outcome = Outcome(case.name, 0.0)
    if case.kind in ("html", "text"):
        result, claims, cuts = process_document(made, "text/html" if case.kind == "html" else "text/plain")
        outcome.error = result.error
        outcome.limits = tuple(b.reason for b in result.removed if b.reason.startswith("limit:")) + tuple(cuts)
        outcome.claims = len(claims)
    else:
        try:
            outcome.records = sum(1 for _ in iter_records(made))
        except HostileXMLError as exc:
            outcome.refused, outcome.error = True, str(exc)
        except PubmedParseError as exc:
            outcome.error = str(exc)
    outcome.cpu_s = time.process_time() - started
    return outcome


def main(argv: list[str]) -> int:
    folder = Path(argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        outcome = run_case(case, folder)
        print(f"{case.name}\t{outcome.cpu_s:.2f}\t{(outcome.error or '')[:80]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    sys.exit(main(sys.argv))
