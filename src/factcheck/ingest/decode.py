"""Turning raw bytes into text: binary detection, BOMs, declared and detected charsets."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

# Magic numbers of formats that are never articles (images, archives, PDFs, executables).
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"\x7fELF", "ELF executable"),
    (b"MZ", "Windows executable"),
    (b"RIFF", "RIFF media"),
    (b"\x00\x00\x01\x00", "icon"),
)

# C0 control bytes other than tab, newline, vertical tab, form feed and carriage return.
_CONTROL_BYTES = bytes(range(9)) + bytes(range(14, 32))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HTML_HINT = re.compile(rb"<\s*(!doctype\s+html|html|head|body|article|div|p)\b", re.I)


@dataclass
class Decoded:
    text: str | None
    encoding: str | None
    error_kind: str | None = None
    error: str | None = None
    warning: str | None = None


def looks_like_html(data: bytes | str) -> bool:
    head = data[:4096] if isinstance(data, bytes) else data[:4096].encode("utf-8", "ignore")
    return bool(_HTML_HINT.search(head))


def _binary_reason(data: bytes) -> str | None:
    for magic, what in BINARY_SIGNATURES:
        if data.startswith(magic):
            return what
    sample = data[:8192]
    if b"\x00" in sample and not (sample.startswith(codecs.BOM_UTF16_LE)
                                  or sample.startswith(codecs.BOM_UTF16_BE)):
        return "NUL bytes"
    control = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if sample and control / len(sample) > 0.05:
        return f"{control} control bytes in the first {len(sample)}"
    return None


# Legacy code pages of non-Latin scripts: when detection names one of these, trust it.
# Otherwise undeclared non-UTF-8 text is read as windows-1252, as browsers do: detection on
# short Western texts is a coin toss between cp1250/cp1252/cp1257 (or even Big5).
NON_LATIN_CODEPAGES = frozenset({
    "cp1251", "koi8_r", "koi8_u", "iso8859_5", "mac_cyrillic", "cp866", "cp855",
    "cp1253", "iso8859_7", "cp1255", "iso8859_8", "cp1256", "iso8859_6", "cp874", "tis_620",
})


# Latin code pages tried in order; the first that leaves no symbol glued to a letter wins.
LATIN_CODEPAGES = ("cp1252", "cp1250")
# A symbol from U+0080–U+00BF next to a letter ("przewlek³y") is the mark of a wrong code page.
# (Spanish ¿ and ¡ open words legitimately.)
_MOJIBAKE = re.compile(r"[^\W\d_][\u0080-\u00a0\u00a2-\u00be]|[\u0080-\u00a0\u00a2-\u00be][^\W\d_]")


def _guess_single_byte(data: bytes) -> str:
    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding in NON_LATIN_CODEPAGES:
        return best.encoding
    scored = []
    for order, encoding in enumerate(LATIN_CODEPAGES):
        try:
            text = data[:200_000].decode(encoding)
        except UnicodeDecodeError:
            continue
        scored.append((len(_MOJIBAKE.findall(text)), order, encoding))
    if scored:
        return min(scored)[2]  # fewest glued symbols; ties keep the earlier code page
    return best.encoding if best is not None else "latin-1"


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded:
    """Decode ``data``: BOM, then the declared charset (header or ``<meta>``), then UTF-8,
    then detection. A charset that was declared but wrong is repaired and reported. A document
    that decodes to nothing but white space (an empty file saved with a byte-order mark) is
    empty."""
    if not data or not data.strip():
        return Decoded(None, None, "empty", "the document is empty")
    decoded = _decode(data, declared)
    if decoded.text is not None and not decoded.text.replace("\ufeff", "").strip():
        return Decoded(None, None, "empty", "the document is empty (only a byte-order mark and "
                                            "white space)")
    return decoded


def _decode(data: bytes, declared: str | None) -> Decoded:
    # A UTF-16 text is full of NUL bytes: its byte-order mark decides before the binary test,
    # which then judges the decoded characters instead.
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            text = data.decode(enc, errors="replace")
            odd = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\f"))
            if odd > 0.05 * max(len(text), 1):
                return Decoded(None, None, "binary", "the document is binary (a UTF-16 byte-order "
                               "mark followed by bytes that are not UTF-16 text), not text")
            return Decoded(text, enc)
    reason = _binary_reason(data)
    if reason:
        return Decoded(None, None, "binary", f"the document is binary ({reason}), not text")
    if data.startswith(codecs.BOM_UTF8):
        return Decoded(data.decode("utf-8-sig", errors="replace"), "utf-8-sig")
    if declared is None:
        match = _META_CHARSET.search(data[:4096])
        if match:
            declared = match.group(1).decode("ascii", "ignore")
    if declared:
        try:
            codecs.lookup(declared)
        except LookupError:
            declared = None
    if declared:
        try:
            text = data.decode(declared)
            return Decoded(text, codecs.lookup(declared).name)
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8")
        warning = (f"declared charset {declared} is wrong; decoded as utf-8"
                   if declared and codecs.lookup(declared).name != "utf-8" else None)
        return Decoded(text, "utf-8", warning=warning)
    except UnicodeDecodeError:
        pass
    encoding = _guess_single_byte(data)
    text = data.decode(encoding, errors="replace")
    what = f"declared {declared}" if declared else "no charset declared"
    return Decoded(text, encoding,
                   warning=f"not valid UTF-8 ({what}); decoded as {encoding} by detection")
