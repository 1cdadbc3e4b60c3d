"""Streaming parser for NLM PubMed XML: annual baseline files, daily update files and efetch
responses (``PubmedArticleSet``), plain or gzipped; the legacy ``MedlineCitationSet`` format
is read as well.

:func:`iter_records` yields one :class:`PubmedRecord` per ``PubmedArticle`` (or
``PubmedBookArticle``) and one :class:`DeletedCitation` per PMID listed in a
``DeleteCitation`` block, in file order. Memory stays flat whatever the file size: lxml's
``iterparse`` builds one article at a time and every article is cleared, with its already
processed siblings, as soon as it has been read.

Safety: the parser never touches the network and never loads a DTD. Before any parsing, the
prolog (everything before the root element) is inspected and a document type declaration
with an internal subset (where ``<!ENTITY`` declarations live: billion laughs, external
entities) is refused with :class:`HostileXMLError`. NLM files only ever carry a public
``<!DOCTYPE … "https://dtd.nlm.nih.gov/…">`` line, which is ignored.

Why children are walked by hand instead of with ``find``/``xpath``: lxml's ``find`` goes
through the pure-Python ElementPath machinery on every call; walking the children once and
dispatching on the tag is several times faster, and the parser is on the hot path of loading
36 million citations.
"""

from __future__ import annotations

import gzip
import io
import logging
import os
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Union

from lxml import etree

log = logging.getLogger(__name__)

#: How much of the start of a document may precede the root element. NLM's prolog is about
#: 200 bytes; anything far longer is an attempt to hide declarations from the check.
PROLOG_LIMIT = 64 * 1024

#: Root elements the parser accepts.
ROOT_TAGS = ("PubmedArticleSet", "MedlineCitationSet")

#: ``CommentsCorrections/@RefType`` values kept on each record, by field name.
LINK_TYPES = {
    "RetractionIn": "retraction_in",
    "RetractionOf": "retraction_of",
    "ExpressionOfConcernIn": "expression_of_concern_in",
    "ErratumIn": "erratum_in",
}

#: The publication type NLM gives to an article that has been retracted.
RETRACTED_PUBLICATION = "Retracted Publication"

_YEAR_RE = re.compile(r"(1[5-9]\d\d|20\d\d|21\d\d)")


class PubmedParseError(ValueError):
    """A PubMed file could not be read: truncated, corrupt, not PubMed XML, or malformed."""


class HostileXMLError(PubmedParseError):
    """The document declares a DTD internal subset (entity tricks); it was not parsed."""


@dataclass(slots=True)
class PubmedRecord:
    """One citation as read from the XML, ready for the ``pubmed`` table.

    List fields keep the XML order. ``abstract`` is the text of every ``AbstractText`` joined
    by newlines, each prefixed by its label (``"METHODS: …"``) when the abstract is
    structured; ``abstract_sections`` keeps (label, NLM category, text) for each part.
    ``mesh_text`` joins descriptors with their qualifiers, chemical names and keywords into
    one string for the full-text index.
    """

    pmid: int
    pmid_version: int = 1
    title: str | None = None
    abstract: str | None = None
    abstract_sections: list[tuple[str | None, str | None, str]] = field(default_factory=list)
    journal: str | None = None
    pub_year: int | None = None
    pub_date: str | None = None
    languages: list[str] = field(default_factory=list)
    publication_types: list[str] = field(default_factory=list)
    publication_type_ids: list[str] = field(default_factory=list)
    mesh_terms: list[str] = field(default_factory=list)
    mesh_ids: list[str] = field(default_factory=list)
    mesh_major: list[str] = field(default_factory=list)
    mesh_qualifiers: list[list[str]] = field(default_factory=list)
    chemicals: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    doi: str | None = None
    pmc_id: str | None = None
    retraction_in: list[int] = field(default_factory=list)
    retraction_of: list[int] = field(default_factory=list)
    expression_of_concern_in: list[int] = field(default_factory=list)
    erratum_in: list[int] = field(default_factory=list)
    citation_status: str | None = None
    kind: str = "article"  # 'article' | 'book'

    @property
    def is_retracted(self) -> bool:
        """True when NLM typed the record 'Retracted Publication' or links a retraction notice."""
        return bool(self.retraction_in) or RETRACTED_PUBLICATION in self.publication_types

    @property
    def mesh_text(self) -> str:
        parts = []
        for name, quals in zip(self.mesh_terms, self.mesh_qualifiers):
            parts.append(f"{name} ({', '.join(quals)})" if quals else name)
        parts.extend(self.chemicals)
        parts.extend(self.keywords)
        return "; ".join(parts)

    @property
    def methods_text(self) -> str | None:
        """The METHODS part(s) of a structured abstract (NLM category), or None."""
        parts = [text for _, category, text in self.abstract_sections if category == "METHODS"]
        return " ".join(parts) or None

    @property
    def study_design(self) -> str:
        from .design import study_design
        return study_design(self.publication_types, self.mesh_terms, self.title, self.methods_text)


@dataclass(frozen=True, slots=True)
class DeletedCitation:
    """A PMID that NLM withdrew (``DeleteCitation`` in an update file)."""

    pmid: int
    pmid_version: int = 1


@dataclass(frozen=True, slots=True)
class SkippedRecord:
    """A well-formed article that could not be used (no PMID, say); reported, not loaded."""

    position: int           # 1-based position of the article in the file
    message: str


PubmedItem = Union[PubmedRecord, DeletedCitation]
Source = Union[str, "os.PathLike[str]", BinaryIO]


# --------------------------------------------------------------------------- input handling

class _PrefixedReader(io.RawIOBase):
    """A read-only stream that returns ``prefix`` and then the rest of ``stream``."""

    def __init__(self, prefix: bytes, stream: BinaryIO):
        self._prefix = prefix
        self._stream = stream

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self._prefix:
            if n is None or n < 0:
                out, self._prefix = self._prefix + self._stream.read(), b""
                return out
            out, self._prefix = self._prefix[:n], self._prefix[n:]
            return out
        return self._stream.read(n)


def source_name(source: Source) -> str:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return str(getattr(source, "name", "<stream>"))


def _open(source: Source) -> tuple[BinaryIO, list]:
    """Binary stream of the (decompressed) XML, and what to close after reading it (what
    this function opened; a caller's file object is left open)."""
    to_close: list = []
    if isinstance(source, (str, os.PathLike)):
        raw: BinaryIO = open(source, "rb")
        to_close.append(raw)
    else:
        raw = source
    head = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    if not head:
        head = raw.read(2)
        raw = _PrefixedReader(head, raw)  # type: ignore[assignment]
    if head == b"\x1f\x8b":
        counted = _CountingReader(raw)
        unzipped = gzip.GzipFile(fileobj=counted, mode="rb")
        to_close.insert(0, unzipped)
        return _BoundedGunzip(unzipped, counted, source_name(source)), to_close  # type: ignore[return-value]
    return raw, to_close


#: A gzipped file may not expand more than this many times its compressed size (NLM's files
#: expand about 8 times, E-utilities' answers less); checked once the output passes
#: :data:`RATIO_CHECK_AFTER`, so small files with very repetitive XML still load.
MAX_DECOMPRESSION_RATIO = 100
RATIO_CHECK_AFTER = 4 * 1024 * 1024
#: Nor expand past this, whatever the ratio (the largest baseline file is about 300 MB).
MAX_DECOMPRESSED_BYTES = 8 * 1024 ** 3


class _CountingReader(io.RawIOBase):
    """Counts the compressed bytes read from ``stream``."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n)
        self.count += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


class _CheckedReader(io.RawIOBase):
    """A read-only stream whose every chunk is checked (:meth:`_read_checked`); a read of
    everything goes a checked chunk at a time, so no check can be skipped by asking for all."""

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            chunks = []
            while chunk := self._read_checked(1024 * 1024):
                chunks.append(chunk)
            return b"".join(chunks)
        return self._read_checked(n)

    def _read_checked(self, n: int) -> bytes:
        raise NotImplementedError


class _BoundedGunzip(_CheckedReader):
    """Decompressed bytes, refused with :class:`HostileXMLError` as soon as they pass the
    ratio or size cap (a gzip bomb is stopped after some 4 MB of output, before the XML
    parser builds anything large from it)."""

    def __init__(self, unzipped: BinaryIO, compressed: _CountingReader, name: str):
        self._unzipped = unzipped
        self._compressed = compressed
        self._name = name
        self.count = 0

    def _read_checked(self, n: int) -> bytes:
        data = self._unzipped.read(n)
        self.count += len(data)
        if self.count > MAX_DECOMPRESSED_BYTES or (
                self.count > RATIO_CHECK_AFTER
                and self.count > MAX_DECOMPRESSION_RATIO * max(self._compressed.count, 1)):
            raise HostileXMLError(
                f"{self._name}: expands to over {self.count // (1024 * 1024):,} MB from "
                f"{self._compressed.count:,} compressed bytes (more than "
                f"{MAX_DECOMPRESSION_RATIO}:1, or past {MAX_DECOMPRESSED_BYTES // 1024 ** 3} GB): "
                "a gzip bomb; refused. Real NLM files expand about 8 times")
        return data


#: One record (a ``PubmedArticle``, ``PubmedBookArticle``, ``DeleteCitation`` or legacy
#: ``MedlineCitation``) may span at most this many bytes of XML and open or close at most
#: this many tags (``<`` counted): lxml builds a whole record before the parser reads it, so
#: these bound the memory one record can take. The largest record of the bundled NLM files
#: (pubmed21n1298, a consortium paper) is 527 KB with 25,289 tags; a ``DeleteCitation`` of
#: 200,000 PMIDs is 5.8 MB with 400,000 tags.
MAX_RECORD_BYTES = 16 * 1024 * 1024
MAX_RECORD_TAGS = 1_000_000


class _RecordBoundedReader(_CheckedReader):
    """The document's bytes, refused with :class:`HostileXMLError` as soon as the XML read
    since the parser last finished a record passes :data:`MAX_RECORD_BYTES` or
    :data:`MAX_RECORD_TAGS` (a record of millions of empty elements, or of many text nodes
    each under libxml2's 10 MB limit). The parser calls :meth:`mark` at every record it
    finishes, so the count follows lxml's own reading of the structure (a comment, processing
    instruction or CDATA section that merely contains ``</PubmedArticle>`` resets nothing);
    lxml reads 32 KB ahead, which the bounds dwarf."""

    def __init__(self, stream: BinaryIO, name: str):
        self._stream = stream
        self._name = name
        self._bytes = 0
        self._tags = 0

    def mark(self) -> None:
        self._bytes = self._tags = 0

    def _read_checked(self, n: int) -> bytes:
        data = self._stream.read(n)
        self._bytes += len(data)
        self._tags += data.count(b"<")
        if self._bytes > MAX_RECORD_BYTES or self._tags > MAX_RECORD_TAGS:
            raise HostileXMLError(
                f"{self._name}: one record passes {MAX_RECORD_BYTES // (1024 * 1024)} MB or "
                f"{MAX_RECORD_TAGS:,} tags ({self._bytes:,} bytes, {self._tags:,} tags read since "
                "the last record ended); refused. The largest real PubMed records are under 1 MB")
        return data


_ROOT_START_RE = re.compile(rb"<[A-Za-z_]")
_PROLOG_NOISE_RE = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.DOTALL)


def check_prolog(prolog: bytes, name: str) -> None:
    """Refuse DTD internal subsets and entity declarations before lxml sees the document.

    ``prolog`` is the start of the decompressed document. Raises :class:`HostileXMLError`
    when it declares entities or an internal DTD subset, when no root element starts in the
    first :data:`PROLOG_LIMIT` bytes (comments and processing instructions aside), or when it
    is not UTF-8 (NLM writes UTF-8 only; a UTF-16 or UTF-32 document, with or without a byte
    order mark, would hide its declarations from a byte-level check). The document type
    declaration is read with its quoted strings, so a ``<`` or ``[`` inside its SYSTEM or
    PUBLIC literal neither ends the prolog early nor hides a subset after it.
    """
    if prolog.startswith(b"\xef\xbb\xbf"):
        prolog = prolog[3:]
    if prolog[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00") or prolog[:2] in (b"\xff\xfe", b"\xfe\xff") \
            or b"\x00" in prolog[:4096]:
        raise HostileXMLError(
            f"{name}: the document is not UTF-8 (UTF-16 or UTF-32, or NUL bytes in its first "
            "4 KiB); refused without parsing. NLM files are UTF-8: fetch the file again from NLM")
    declared = _DECLARED_ENCODING_RE.match(prolog)
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"us-ascii",
                                                                            b"ascii"):
        raise HostileXMLError(
            f"{name}: the document declares encoding {declared.group(1).decode('ascii', 'replace')!r}"
            "; only UTF-8 is read (NLM files are UTF-8); refused without parsing")
    cleaned = _PROLOG_NOISE_RE.sub(b"", prolog)
    upper = cleaned.upper()
    start = 0
    doctype = upper.find(b"<!DOCTYPE")
    root = _ROOT_START_RE.search(cleaned)
    if doctype >= 0 and (root is None or doctype <= root.start()):
        end = _doctype_end(cleaned, doctype, name)
        if end is None:
            raise HostileXMLError(
                f"{name}: the document type declaration does not end in the first "
                f"{PROLOG_LIMIT // 1024} KiB; refused without parsing")
        start = end
        root = _ROOT_START_RE.search(cleaned, start)
    if root is None and len(prolog) >= PROLOG_LIMIT:
        raise HostileXMLError(
            f"{name}: no root element in the first {PROLOG_LIMIT // 1024} KiB; refused "
            "(an oversized prolog can hide entity declarations)")
    before = upper if root is None else upper[:root.start()]
    if b"<!ENTITY" in before:
        raise HostileXMLError(_SUBSET_MESSAGE.format(name=name))


_SUBSET_MESSAGE = ("{name}: the document type declaration has an internal subset or declares "
                   "entities (a billion-laughs or external-entity trick); refused without parsing. "
                   "Real NLM files never do this: fetch the file again from NLM")
_DECLARED_ENCODING_RE = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


def _doctype_end(text: bytes, at: int, name: str) -> int | None:
    """Offset just past the ``<!DOCTYPE …>`` starting at ``at``, reading quoted literals as
    literals; refuses an internal subset (``[`` outside quotes). None when it does not end."""
    quote = None
    for i in range(at + len(b"<!DOCTYPE"), len(text)):
        char = text[i:i + 1]
        if quote is not None:
            if char == quote:
                quote = None
        elif char in (b'"', b"'"):
            quote = char
        elif char == b"[":
            raise HostileXMLError(_SUBSET_MESSAGE.format(name=name))
        elif char == b">":
            return i + 1
    return None


# --------------------------------------------------------------------------- element helpers

def _text(el) -> str:
    """Text of ``el`` including inline markup (``<i>``, ``<sup>``…), whitespace-trimmed."""
    if len(el):
        return "".join(el.itertext()).strip()
    return (el.text or "").strip()


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isdigit() else None


_SEASON_OR_MONTH = ("Month", "Season")


def _pub_date(pub_date) -> tuple[int | None, str | None]:
    """(year, date as printed) from a ``PubDate`` element, ``MedlineDate`` included."""
    year = month = day = season = medline = None
    for child in pub_date:
        tag = child.tag
        if tag == "Year":
            year = (child.text or "").strip()
        elif tag == "Month":
            month = (child.text or "").strip()
        elif tag == "Day":
            day = (child.text or "").strip()
        elif tag == "Season":
            season = (child.text or "").strip()
        elif tag == "MedlineDate":
            medline = (child.text or "").strip()
    if medline and not year:
        m = _YEAR_RE.search(medline)
        return (int(m.group(1)) if m else None), medline
    parts = [p for p in (year, month or season, day) if p]
    return _int(year), (" ".join(parts) or None)


def _comments_corrections(lst, rec: PubmedRecord) -> None:
    for cc in lst:
        if cc.tag != "CommentsCorrections":
            continue
        attr = LINK_TYPES.get(cc.get("RefType", ""))
        if attr is None:
            continue
        for child in cc:
            if child.tag == "PMID":
                pmid = _int(child.text)
                if pmid is not None:
                    getattr(rec, attr).append(pmid)


def _abstract(abstract, rec: PubmedRecord) -> None:
    for part in abstract:
        if part.tag != "AbstractText":
            continue
        text = _text(part)
        if not text:
            continue
        rec.abstract_sections.append((part.get("Label"), part.get("NlmCategory"), text))
    if rec.abstract_sections:
        rec.abstract = "\n".join(f"{label}: {text}" if label else text
                                 for label, _, text in rec.abstract_sections)


def _article(article, rec: PubmedRecord) -> None:
    """Fill ``rec`` from a ``MedlineCitation/Article`` element."""
    vernacular = None
    for child in article:
        tag = child.tag
        if tag == "ArticleTitle":
            rec.title = _text(child) or None
        elif tag == "VernacularTitle":
            vernacular = _text(child) or None
        elif tag == "Journal":
            for jc in child:
                if jc.tag == "Title":
                    rec.journal = _text(jc) or rec.journal
                elif jc.tag == "ISOAbbreviation" and rec.journal is None:
                    rec.journal = _text(jc) or None
                elif jc.tag == "JournalIssue":
                    for ji in jc:
                        if ji.tag == "PubDate":
                            rec.pub_year, rec.pub_date = _pub_date(ji)
        elif tag == "Abstract":
            _abstract(child, rec)
        elif tag == "Language":
            lang = (child.text or "").strip()
            if lang:
                rec.languages.append(lang)
        elif tag == "PublicationTypeList":
            for pt in child:
                if pt.tag == "PublicationType":
                    rec.publication_types.append(_text(pt))
                    rec.publication_type_ids.append(pt.get("UI") or "")
        elif tag == "ELocationID":
            if rec.doi is None and child.get("EIdType") == "doi" and child.get("ValidYN", "Y") == "Y":
                rec.doi = _text(child) or None
        elif tag == "ArticleDate" and rec.pub_year is None:
            for d in child:
                if d.tag == "Year":
                    rec.pub_year = _int(d.text)
    if rec.title is None:
        rec.title = vernacular


def _mesh(heading_list, rec: PubmedRecord) -> None:
    for heading in heading_list:
        if heading.tag != "MeshHeading":
            continue
        name = ui = None
        major = False
        quals: list[str] = []
        for part in heading:
            if part.tag == "DescriptorName":
                name = _text(part)
                ui = part.get("UI") or ""
                major = major or part.get("MajorTopicYN") == "Y"
            elif part.tag == "QualifierName":
                quals.append(_text(part))
                major = major or part.get("MajorTopicYN") == "Y"
        if not name:
            continue
        rec.mesh_terms.append(name)
        rec.mesh_ids.append(ui or "")
        rec.mesh_qualifiers.append(quals)
        if major:
            rec.mesh_major.append(name)


def _medline_citation(mc, rec: PubmedRecord) -> None:
    rec.citation_status = mc.get("Status")
    for child in mc:
        tag = child.tag
        if tag == "Article":
            _article(child, rec)
        elif tag == "MeshHeadingList":
            _mesh(child, rec)
        elif tag == "ChemicalList":
            for chem in child:
                for part in chem:
                    if part.tag == "NameOfSubstance":
                        name = _text(part)
                        if name:
                            rec.chemicals.append(name)
        elif tag == "KeywordList":
            for kw in child:
                if kw.tag == "Keyword":
                    word = _text(kw)
                    if word:
                        rec.keywords.append(word)
        elif tag == "CommentsCorrectionsList":
            _comments_corrections(child, rec)
        elif tag == "MedlineJournalInfo" and rec.journal is None:
            for part in child:
                if part.tag == "MedlineTA":
                    rec.journal = _text(part) or None
        elif tag == "OtherAbstract" and rec.abstract is None and child.get("Language") == "eng":
            _abstract(child, rec)


def _article_ids(id_list, rec: PubmedRecord) -> None:
    """DOI and PMC id from ``PubmedData/ArticleIdList`` (the record's own ids, not those of
    its references). NLM's DOI here wins over the publisher's ``ELocationID``."""
    doi = pmc = None
    for aid in id_list:
        if aid.tag != "ArticleId":
            continue
        kind = aid.get("IdType")
        if kind == "doi" and doi is None:
            doi = _text(aid) or None
        elif kind == "pmc" and pmc is None:
            pmc = _text(aid) or None
    rec.doi = doi or rec.doi
    rec.pmc_id = pmc or rec.pmc_id


def _pubmed_data(pubmed_data, rec: PubmedRecord) -> None:
    """Fill ``rec`` from a ``PubmedData``/``PubmedBookData`` element (its own article ids)."""
    if pubmed_data is None:
        return
    for child in pubmed_data:
        if child.tag == "ArticleIdList":
            _article_ids(child, rec)


def _pmid(el) -> tuple[int | None, int]:
    pmid = _int(el.text)
    version = _int(el.get("Version")) or 1
    return pmid, version


def parse_pubmed_article(el) -> PubmedRecord:
    """A :class:`PubmedRecord` from one ``PubmedArticle`` (or bare ``MedlineCitation``) element.

    Raises :class:`ValueError` when the element has no usable PMID.
    """
    mc = el if el.tag == "MedlineCitation" else None
    pubmed_data = None
    if mc is None:
        for child in el:
            if child.tag == "MedlineCitation":
                mc = child
            elif child.tag == "PubmedData":
                pubmed_data = child
    if mc is None:
        raise ValueError("PubmedArticle without MedlineCitation")
    pmid_el = None
    for child in mc:
        if child.tag == "PMID":
            pmid_el = child
            break
    if pmid_el is None:
        raise ValueError("MedlineCitation without PMID")
    pmid, version = _pmid(pmid_el)
    if pmid is None:
        raise ValueError(f"PMID is not a number: {pmid_el.text!r}")
    rec = PubmedRecord(pmid=pmid, pmid_version=version)
    _medline_citation(mc, rec)
    _pubmed_data(pubmed_data, rec)
    return rec


def parse_book_article(el) -> PubmedRecord:
    """A :class:`PubmedRecord` from one ``PubmedBookArticle`` element (NCBI Bookshelf)."""
    doc = None
    pubmed_data = None
    for child in el:
        if child.tag == "BookDocument":
            doc = child
        elif child.tag == "PubmedBookData":
            pubmed_data = child
    if doc is None:
        raise ValueError("PubmedBookArticle without BookDocument")
    rec: PubmedRecord | None = None
    book_title = None
    for child in doc:
        if child.tag == "PMID":
            pmid, version = _pmid(child)
            if pmid is None:
                raise ValueError(f"PMID is not a number: {child.text!r}")
            rec = PubmedRecord(pmid=pmid, pmid_version=version, kind="book")
            break
    if rec is None:
        raise ValueError("BookDocument without PMID")
    for child in doc:
        tag = child.tag
        if tag == "ArticleTitle":
            rec.title = _text(child) or None
        elif tag == "Book":
            for part in child:
                if part.tag == "BookTitle":
                    book_title = _text(part) or None
                elif part.tag == "PubDate":
                    rec.pub_year, rec.pub_date = _pub_date(part)
        elif tag == "Abstract":
            _abstract(child, rec)
        elif tag == "Language":
            if child.text and child.text.strip():
                rec.languages.append(child.text.strip())
        elif tag == "PublicationType":
            rec.publication_types.append(_text(child))
            rec.publication_type_ids.append(child.get("UI") or "")
        elif tag == "KeywordList":
            rec.keywords.extend(w for w in (_text(k) for k in child if k.tag == "Keyword") if w)
    rec.journal = book_title
    if rec.title is None:
        rec.title = book_title
    _pubmed_data(pubmed_data, rec)
    return rec


# --------------------------------------------------------------------------- the iterator

_EVENT_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation", "MedlineCitation")


def iter_records(source: Source, on_skip: Callable[[SkippedRecord], None] | None = None
                 ) -> Iterator[PubmedItem]:
    """Yield :class:`PubmedRecord` and :class:`DeletedCitation` items from a PubMed XML file.

    ``source`` is a path or a binary file object, plain XML or gzip. Articles that are
    well-formed but unusable (no numeric PMID) are passed to ``on_skip`` (logged when it is
    ``None``) and the file goes on. Anything that stops the file from being read as a whole
    raises :class:`PubmedParseError` naming the file: truncated or corrupt gzip, malformed
    XML, a root element other than ``PubmedArticleSet``/``MedlineCitationSet``, or
    :class:`HostileXMLError` for DTD tricks. Unknown elements are ignored.
    """
    name = source_name(source)
    try:
        stream, to_close = _open(source)
    except OSError as exc:
        raise PubmedParseError(f"{name}: cannot open ({exc})") from exc
    try:
        yield from _iter_stream(stream, name, on_skip)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise PubmedParseError(
            f"{name}: compressed data is truncated or corrupt ({exc}); download the file again"
        ) from exc
    except etree.XMLSyntaxError as exc:
        raise PubmedParseError(f"{name}: malformed XML ({exc}); the file was not loaded") from exc
    finally:
        for handle in to_close:
            handle.close()


def _iter_stream(stream: BinaryIO, name: str,
                 on_skip: Callable[[SkippedRecord], None] | None) -> Iterator[PubmedItem]:
    prolog = stream.read(PROLOG_LIMIT)
    if not prolog.strip():
        raise PubmedParseError(f"{name}: the file is empty")
    check_prolog(prolog, name)
    reader = _RecordBoundedReader(_PrefixedReader(prolog, stream), name)
    context = etree.iterparse(
        reader, events=("end",), tag=_EVENT_TAGS,
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_comments=True, remove_pis=True)
    position = 0
    root_checked = False
    for _event, el in context:
        if not root_checked:
            _check_root(el.getroottree().getroot(), name)
            root_checked = True
        tag = el.tag
        if tag == "MedlineCitation":
            parent = el.getparent()
            if parent is None or parent.tag != "MedlineCitationSet":
                continue  # part of a PubmedArticle: read with it
        if tag == "DeleteCitation":
            for child in el:
                if child.tag == "PMID":
                    pmid, version = _pmid(child)
                    if pmid is not None:
                        yield DeletedCitation(pmid, version)
        else:
            position += 1
            try:
                rec = parse_book_article(el) if tag == "PubmedBookArticle" else parse_pubmed_article(el)
            except ValueError as exc:
                skipped = SkippedRecord(position, f"{name}: article {position}: {exc}; skipped")
                if on_skip is None:
                    log.warning(skipped.message)
                else:
                    on_skip(skipped)
            else:
                yield rec
        el.clear(keep_tail=False)
        parent = el.getparent()
        if parent is not None:
            while el.getprevious() is not None:
                del parent[0]
        reader.mark()
    root = context.root
    if root is None:
        raise PubmedParseError(f"{name}: no XML document found")
    if not root_checked:
        _check_root(root, name)


def _check_root(root, name: str) -> None:
    if root.tag not in ROOT_TAGS:
        raise PubmedParseError(
            f"{name}: root element is <{root.tag}>, not <PubmedArticleSet>; "
            "is this a PubMed XML file (efetch with db=pubmed&retmode=xml)?")
