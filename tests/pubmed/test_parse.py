"""The streaming parser on NLM's own records (cut from real baseline and update files) and
on hand-written records covering every field, plus everything that must be refused."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from factcheck.pubmed.parse import (DeletedCitation, HostileXMLError, PubmedParseError,
                                    PubmedRecord, iter_records)


def records(source, **kw) -> list[PubmedRecord]:
    return [r for r in iter_records(source, **kw) if isinstance(r, PubmedRecord)]


def by_pmid(source) -> dict[int, PubmedRecord]:
    return {r.pmid: r for r in records(source)}


# ---------------------------------------------------------------- real NLM records

def test_real_baseline_records_are_all_read(nlm_baseline: Path):
    recs = records(nlm_baseline)
    assert len(recs) == 26
    assert all(r.title and r.journal and r.pub_year for r in recs)
    assert all(r.mesh_terms for r in recs), "every 1977-79 baseline record is MeSH-indexed"
    ketamine = by_pmid(nlm_baseline)[409837]
    assert ketamine.title == "Ketamine self-administration by the rhesus monkey."
    assert "Ketamine" in ketamine.mesh_terms and "Animals" in ketamine.mesh_terms
    assert ketamine.study_design == "animal"


def test_real_medline_date_gives_year_and_printed_date(nlm_baseline: Path):
    rec = by_pmid(nlm_baseline)[399319]
    assert rec.pub_date == "1979 Jul-Sep"
    assert rec.pub_year == 1979
    assert rec.languages == ["ita"]
    assert rec.title.startswith("[Controlled clinical trial")


def test_real_update_versions_retractions_and_deletions(nlm_update: Path):
    items = list(iter_records(nlm_update))
    recs = [i for i in items if isinstance(i, PubmedRecord)]
    deletions = [i for i in items if isinstance(i, DeletedCitation)]
    assert len(deletions) == 20
    assert deletions[0] == DeletedCitation(31688362, 1)
    versions = [r.pmid_version for r in recs if r.pmid == 30271887]
    assert versions == [1, 2, 3, 4]
    retracted = {r.pmid: r for r in recs if r.is_retracted}
    assert retracted[27602157].retraction_in == [34093767]
    assert "Retracted Publication" in retracted[27602157].publication_types
    notice = next(r for r in recs if r.pmid == 34082697)
    assert notice.retraction_of == [18808659] and not notice.is_retracted
    assert next(r for r in recs if r.pmid == 21388667).erratum_in == [34092359]


def test_real_structured_abstract_keeps_labels(nlm_update: Path):
    nejm = by_pmid(nlm_update)[34097368]
    assert [s[0] for s in nejm.abstract_sections] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert nejm.abstract.startswith("BACKGROUND: Rituximab and mycophenolate mofetil")
    assert "\nMETHODS: In a randomized, controlled trial" in nejm.abstract
    assert nejm.doi == "10.1056/NEJMoa2028564"
    assert nejm.citation_status == "Publisher"
    # not indexed yet (publication type "Journal Article" only): its METHODS section decides
    assert nejm.methods_text.startswith("In a randomized, controlled trial")
    assert nejm.study_design == "rct"


# ---------------------------------------------------------------- hand-written records

def test_every_field_of_a_full_record(articles_xml: Path):
    rec = by_pmid(articles_xml)[900001]
    assert rec.title.startswith("Low-dose ketamine infusion")  # <i> markup flattened
    assert rec.journal == "Journal of Invented Pain Research"
    assert (rec.pub_year, rec.pub_date) == (2022, "2022 Mar 04")
    assert rec.publication_types == ["Journal Article", "Randomized Controlled Trial"]
    assert rec.publication_type_ids == ["D016428", "D016449"]
    assert rec.mesh_terms == ["Humans", "Ketamine", "Neuralgia", "Chronic Pain"]
    assert rec.mesh_ids[1] == "D007649"
    # major when the descriptor or any of its qualifiers is starred
    assert rec.mesh_major == ["Ketamine", "Neuralgia"]
    assert rec.mesh_qualifiers[1] == ["administration & dosage", "therapeutic use"]
    assert "Ketamine (administration & dosage, therapeutic use)" in rec.mesh_text
    assert rec.chemicals == ["Ketamine", "Excitatory Amino Acid Antagonists"]
    assert rec.keywords == ["NMDA", "infusion therapy"]
    # NLM's own id list wins over the ELocationID; the references' ids are ignored
    assert rec.doi == "10.9999/jipr.2022.001"
    assert rec.pmc_id == "PMC9000001"
    assert rec.study_design == "rct"
    assert not rec.is_retracted


def test_links_of_a_retracted_record(articles_xml: Path):
    rec = by_pmid(articles_xml)[900003]
    assert rec.is_retracted
    assert rec.retraction_in == [900009]
    assert rec.erratum_in == [900010]
    assert rec.expression_of_concern_in == [900011]
    assert (rec.pub_year, rec.pub_date) == (2015, "2015 Spring")


def test_medline_date_vernacular_and_book(articles_xml: Path):
    recs = by_pmid(articles_xml)
    assert recs[900002].pub_year == 1977 and recs[900002].pub_date == "1977 Nov-Dec"
    book = recs[900006]
    assert book.kind == "book"
    assert book.journal == "Invented Textbook of Anaesthesia"
    assert book.abstract == "INTRODUCTION: Ketamine is a dissociative anaesthetic."
    assert book.study_design == "narrative_review"


def test_unusable_article_is_reported_and_the_rest_read(articles_xml: Path):
    skipped = []
    recs = records(articles_xml, on_skip=skipped.append)
    assert [r.pmid for r in recs] == [900001, 900002, 900003, 900004, 900005, 900006]
    assert len(skipped) == 1
    assert skipped[0].position == 6
    assert "PMID is not a number: 'not-a-number'" in skipped[0].message
    assert "articles.xml" in skipped[0].message


def test_plain_gzip_and_file_object_read_the_same(articles_xml: Path, gz_copy):
    plain = records(articles_xml)
    assert records(gz_copy(articles_xml)) == plain
    with open(articles_xml, "rb") as fh:
        assert records(fh) == plain
    assert records(io.BytesIO(gzip.compress(articles_xml.read_bytes()))) == plain


def test_legacy_medline_citation_set(tmp_path: Path):
    path = tmp_path / "medline16.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<MedlineCitationSet><MedlineCitation Status="MEDLINE">'
        '<PMID Version="1">17942999</PMID><Article><Journal><JournalIssue><PubDate><Year>2007'
        '</Year></PubDate></JournalIssue><Title>Old Format</Title></Journal><ArticleTitle>Old.'
        '</ArticleTitle></Article></MedlineCitation><DeleteCitation><PMID Version="1">1</PMID>'
        '</DeleteCitation></MedlineCitationSet>', encoding="utf-8")
    items = list(iter_records(path))
    assert items[0].pmid == 17942999 and items[0].journal == "Old Format"
    assert items[1] == DeletedCitation(1, 1)


# ---------------------------------------------------------------- refused input

def test_truncated_gzip_is_a_clear_error(articles_xml: Path, tmp_path: Path):
    data = gzip.compress(articles_xml.read_bytes() * 3)
    path = tmp_path / "cut.xml.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(PubmedParseError, match="cut.xml.gz: compressed data is truncated"):
        list(iter_records(path))


def test_malformed_xml_is_a_clear_error(articles_xml: Path, tmp_path: Path):
    path = tmp_path / "bad.xml"
    path.write_text(articles_xml.read_text(encoding="utf-8").replace(
        "</ArticleTitle>", "</Title>", 1), encoding="utf-8")
    with pytest.raises(PubmedParseError, match="bad.xml: malformed XML"):
        list(iter_records(path))


@pytest.mark.parametrize("body, message", [
    (b"", "the file is empty"),
    (b'<?xml version="1.0"?><eSearchResult><Count>0</Count></eSearchResult>',
     "root element is <eSearchResult>"),
    (b"<html><body>Service unavailable</body></html>", "root element is <html>"),
])
def test_not_pubmed_xml(tmp_path: Path, body: bytes, message: str):
    path = tmp_path / "x.xml"
    path.write_bytes(body)
    with pytest.raises(PubmedParseError, match=message):
        list(iter_records(path))


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>
<ArticleTitle>&lol4;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>
"""


def test_billion_laughs_is_refused(tmp_path: Path):
    path = tmp_path / "laughs.xml.gz"
    path.write_bytes(gzip.compress(BILLION_LAUGHS))
    with pytest.raises(HostileXMLError, match="laughs.xml.gz: .*internal subset"):
        list(iter_records(path))


def test_external_entities_are_refused_without_touching_the_network(serve, tmp_path: Path):
    hits = []

    async def dtd(request):
        hits.append(request.url.path)
        return PlainTextResponse('<!ENTITY secret "leaked">')

    base = serve(Starlette(routes=[Route("/{name:path}", dtd)]))
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret", encoding="utf-8")
    attacks = {
        "xxe_file.xml": f'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY x SYSTEM '
                        f'"file://{secret}">]><PubmedArticleSet><PubmedArticle><MedlineCitation>'
                        f'<PMID>1</PMID><Article><ArticleTitle>&x;</ArticleTitle></Article>'
                        f'</MedlineCitation></PubmedArticle></PubmedArticleSet>',
        "xxe_http.xml": f'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY % p SYSTEM '
                        f'"{base}evil.dtd"> %p;]><PubmedArticleSet/>',
        # Hiding the declarations behind a comment that looks like the root element.
        "hidden.xml": '<?xml version="1.0"?><!-- <PubmedArticleSet> --><!DOCTYPE a [<!ENTITY '
                      'x "y">]><PubmedArticleSet/>',
    }
    for name, body in attacks.items():
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        with pytest.raises(HostileXMLError):
            list(iter_records(path))
    # An external DTD reference without an internal subset (what NLM files carry) is not
    # fetched either: the parser never loads DTDs.
    path = tmp_path / "external_dtd.xml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet SYSTEM "{base}pubmed.dtd">'
                    '<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>7</PMID>'
                    '</MedlineCitation></PubmedArticle></PubmedArticleSet>', encoding="utf-8")
    assert [r.pmid for r in records(path)] == [7]
    assert hits == []


ENTITY_ATTACK = ('<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY x "boom">]>'
                 '<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>'
                 '<ArticleTitle>&x;</ArticleTitle></Article></MedlineCitation></PubmedArticle>'
                 '</PubmedArticleSet>')


@pytest.mark.parametrize("name,body", [
    ("utf16le_no_bom.xml", ENTITY_ATTACK.replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
     .encode("utf-16-le")),
    ("utf16be_no_bom.xml", ENTITY_ATTACK.encode("utf-16-be")),
    ("utf16_bom.xml", ENTITY_ATTACK.encode("utf-16")),
    ("utf32.xml", ENTITY_ATTACK.encode("utf-32")),
    ("latin_declared.xml", ENTITY_ATTACK.replace('version="1.0"', 'version="1.0" encoding="EBCDIC-CP-US"')
     .encode("ascii")),
    # a '<' inside the SYSTEM literal must not be taken for the root element
    ("lt_in_system.xml", ('<?xml version="1.0"?><!DOCTYPE PubmedArticleSet SYSTEM "x<PubmedArticleSet" '
                          '[<!ENTITY x "boom">]><PubmedArticleSet/>').encode()),
    ("bracket_after_quoted_gt.xml", ("<?xml version='1.0'?><!DOCTYPE a PUBLIC '-//x>y//EN' 'z.dtd' "
                                     "[<!ENTITY x 'boom'>]><PubmedArticleSet/>").encode()),
    ("unterminated_doctype.xml", ('<?xml version="1.0"?><!DOCTYPE PubmedArticleSet SYSTEM "'
                                  + "a" * 70_000).encode()),
])
def test_prolog_tricks_are_refused_before_parsing(tmp_path: Path, name: str, body: bytes):
    """Encodings and quoting that would hide an internal subset from a byte-level check of the
    prolog (issue 16): refused, never parsed."""
    path = tmp_path / name
    path.write_bytes(body)
    with pytest.raises(HostileXMLError, match=name.replace(".", r"\.")):
        list(iter_records(path))


def test_a_utf8_bom_and_a_quoted_gt_in_a_real_doctype_still_load(tmp_path: Path):
    path = tmp_path / "bom.xml"
    path.write_bytes(b"\xef\xbb\xbf" + b'<?xml version="1.0" encoding="UTF-8"?>'
                     b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January '
                     b'2024//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd?a>b">'
                     b'<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>7</PMID>'
                     b'</MedlineCitation></PubmedArticle></PubmedArticleSet>')
    assert [r.pmid for r in records(path)] == [7]


def test_oversized_prolog_is_refused(tmp_path: Path):
    path = tmp_path / "padded.xml"
    path.write_bytes(b'<?xml version="1.0"?>\n' + b"<!--" + b" " * 70_000 + b"-->"
                     + b"<PubmedArticleSet/>")
    with pytest.raises(HostileXMLError, match="no root element in the first 64 KiB"):
        list(iter_records(path))


def test_missing_file(tmp_path: Path):
    with pytest.raises(PubmedParseError, match="cannot open"):
        list(iter_records(tmp_path / "nope.xml.gz"))


def test_files_opened_by_the_parser_are_closed(nlm_update: Path, tmp_path: Path):
    """An unclosed file shows up as a ResourceWarning when it is garbage-collected."""
    import gc
    import warnings

    bad = tmp_path / "bad.xml.gz"
    bad.write_bytes(gzip.compress(b"<PubmedArticleSet><PubmedArticle>"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert len(records(nlm_update)) == 22
        with pytest.raises(PubmedParseError):
            records(bad)
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


def _bomb(tmp_path: Path, name: str, filler: bytes, mb: int) -> Path:
    """A gzip file of a valid PubMed prolog and root followed by ``mb`` MB of ``filler``,
    written in pieces so the test itself stays small in memory."""
    path = tmp_path / name
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(b'<?xml version="1.0"?><PubmedArticleSet>')
        piece = filler * (1024 * 1024 // len(filler))
        for _ in range(mb):
            out.write(piece)
        out.write(b"</PubmedArticleSet>")
    return path


@pytest.mark.parametrize("name,filler", [
    ("deletions.xml.gz", b"<DeleteCitation><PMID>1</PMID></DeleteCitation>"),
    ("huge_comment.xml.gz", None),
])
def test_gzip_bombs_are_refused_early_with_bounded_memory(tmp_path: Path, name, filler):
    """200 MB of small well-formed records (each inside the per-record bound), or one 200 MB
    comment, from some 200 KB of gzip: refused once the output passes 4 MB at over 100:1,
    before the parser holds anything large."""
    import resource

    if filler is None:
        path = tmp_path / name
        with gzip.open(path, "wb", compresslevel=9) as out:
            out.write(b'<?xml version="1.0"?><PubmedArticleSet><!--')
            for _ in range(200):
                out.write(b" " * (1024 * 1024))
            out.write(b"--></PubmedArticleSet>")
    else:
        path = _bomb(tmp_path, name, filler, 200)
    assert path.stat().st_size < 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(HostileXMLError, match=f"{name}: expands to over .* a gzip bomb"):
        list(iter_records(path))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 250


def test_a_real_sized_gzip_file_with_a_high_ratio_under_the_threshold_loads(tmp_path: Path):
    """Under 4 MB of output the ratio is not judged: small, very repetitive files load."""
    record = (b"<PubmedArticle><MedlineCitation><PMID>7</PMID><Article><ArticleTitle>"
              + b"a" * 2000 + b"</ArticleTitle></Article></MedlineCitation></PubmedArticle>")
    path = tmp_path / "repetitive.xml.gz"
    with gzip.open(path, "wb") as out:
        out.write(b'<?xml version="1.0"?><PubmedArticleSet>' + record + b"</PubmedArticleSet>")
    assert [r.pmid for r in records(path)] == [7]


# ---------------------------------------------------------------- one record's size

def _one_record(body: bytes, pmid: int = 1) -> bytes:
    return (b"<PubmedArticle><MedlineCitation><PMID>%d</PMID>" % pmid + body
            + b"</MedlineCitation></PubmedArticle>")


@pytest.mark.parametrize("what,body", [
    ("a million empty elements", b"<x/>" * 1_000_001),
    ("twenty text nodes of 1 MB", (b"<x>" + b"a" * 1024 * 1024 + b"</x>") * 20),
])
def test_one_oversized_record_is_refused_before_it_is_built(what, body):
    """A plain file (no gzip ratio to judge) whose one record holds a million empty elements,
    or more text than 16 MB in nodes each under libxml2's own 10 MB limit, is refused while it
    streams, naming the file."""
    import resource

    data = b'<?xml version="1.0"?><PubmedArticleSet>' + _one_record(body) + b"</PubmedArticleSet>"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(HostileXMLError, match=r"big\.xml: one record passes 16 MB or 1,000,000 tags"):
        list(iter_records(_named(data, "big.xml")))
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 400


def _named(data: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(data)
    stream.name = name
    return stream


def test_the_record_bound_is_per_record_not_per_file(monkeypatch):
    """Many records that together pass the bounds load: the count starts again at every
    record the parser finishes. A closing tag hidden in comments, processing instructions or
    CDATA resets nothing."""
    import factcheck.pubmed.parse as parse

    monkeypatch.setattr(parse, "MAX_RECORD_BYTES", 128 * 1024)
    monkeypatch.setattr(parse, "MAX_RECORD_TAGS", 40_000)
    body = b"".join(_one_record(b"<Article><ArticleTitle>%d</ArticleTitle></Article>" % i + b"<x/>" * 200, i)
                    for i in range(1, 3001))
    data = b'<?xml version="1.0"?><PubmedArticleSet>' + body + b"</PubmedArticleSet>"
    assert len(data) > 10 * 128 * 1024 and data.count(b"<") > 10 * 40_000
    assert [r.pmid for r in records(io.BytesIO(data))] == list(range(1, 3001))
    for junk in (b"<x/>", b"<x/><!--</PubmedArticle>-->", b"<x/><?x </PubmedArticle>?>",
                 b"<x><![CDATA[</PubmedArticle>]]></x>"):
        big = data.replace(b"<PMID>1500</PMID>", b"<PMID>1500</PMID>" + junk * 41_000)
        with pytest.raises(HostileXMLError, match="one record passes"):
            records(io.BytesIO(big))
