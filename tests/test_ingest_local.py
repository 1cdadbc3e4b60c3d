import codecs
from pathlib import Path

from factcheck.ingest import read_file, read_local
from factcheck.ingest.decode import decode_bytes, looks_like_html

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"


def test_seed_articles_are_read_as_utf8_text():
    docs = list(read_local([SEEDS]))
    assert len(docs) == 4
    assert all(d.ok and d.content_type == "text/plain" and d.encoding == "utf-8" for d in docs)
    assert all(len(d.content_hash) == 64 for d in docs)
    assert "NMDA receptor antagonist" in docs[1].text


def test_empty_and_whitespace_files_are_errors(tmp_path: Path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\t\n")
    docs = {Path(d.source).name: d for d in read_local([tmp_path])}
    assert docs["empty.txt"].error_kind == "empty" and docs["empty.txt"].text is None
    assert docs["blank.txt"].error_kind == "empty"
    assert "empty.txt" in docs["empty.txt"].error


def test_a_file_of_only_a_byte_order_mark_and_white_space_is_empty(tmp_path: Path):
    """What Notepad saves for an empty file: decoded, there is nothing in it."""
    (tmp_path / "notepad.txt").write_bytes(b"\xef\xbb\xbf")
    (tmp_path / "spaces.txt").write_bytes(b"\xef\xbb\xbf  \r\n")
    (tmp_path / "utf16.txt").write_bytes(b"\xff\xfe" + " \n".encode("utf-16-le"))
    docs = {Path(d.source).name: d for d in read_local([tmp_path])}
    assert {name: d.error_kind for name, d in docs.items()} == {
        "notepad.txt": "empty", "spaces.txt": "empty", "utf16.txt": "empty"}


def test_binary_files_are_refused_with_their_type(tmp_path: Path):
    png = tmp_path / "photo.html"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    nul = tmp_path / "data.txt"
    nul.write_bytes(b"abc\x00\x00\x01\x02def" * 100)
    assert read_file(png).error_kind == "binary" and "PNG image" in read_file(png).error
    assert read_file(nul).error_kind == "binary"


import pytest


@pytest.mark.parametrize("text, codepage", [
    ("Ketamin lindert Schmerzen. Die Wirkung hält über drei Monate an, berichten Ärzte.", "cp1252"),
    ("La kétamine soulage la douleur à court terme, selon une étude. Coût : 50 €.", "cp1252"),
    ("Ketamina alivia el dolor crónico en niños; ¿funciona? ¡Sí, según el estudio!", "cp1252"),
    ("Ketamina łagodzi przewlekły ból u pacjentów. Efekt utrzymuje się ponad trzy miesiące.", "cp1250"),
    ("Кетамин облегчает хроническую боль у пациентов. Эффект длится более трёх месяцев.", "cp1251"),
])
def test_undeclared_legacy_code_pages_are_read_right(text, codepage):
    decoded = decode_bytes(text.encode(codepage))
    assert decoded.text == text, decoded.encoding
    assert "not valid UTF-8" in decoded.warning


def test_latin1_file_is_repaired_and_reported():
    raw = "Ketamin lindert Schmerzen bei Patienten mit CRPS – café, naïve, Übelkeit.".encode("cp1252")
    decoded = decode_bytes(raw)
    assert decoded.text is not None and "Übelkeit" in decoded.text and "café" in decoded.text
    assert decoded.warning and "not valid UTF-8" in decoded.warning


def test_wrong_declared_charset_falls_back_to_utf8():
    raw = '<html><head><meta charset="ascii"></head><body><p>Ketamine – “NMDA”</p></body></html>'.encode()
    decoded = decode_bytes(raw)
    assert "“NMDA”" in decoded.text
    assert decoded.warning and "declared charset ascii is wrong" in decoded.warning


def test_declared_meta_charset_is_honoured():
    raw = '<html><head><meta charset="iso-8859-1"></head><body>naïve</body></html>'.encode("latin-1")
    decoded = decode_bytes(raw)
    assert decoded.encoding == "iso8859-1" and "naïve" in decoded.text and decoded.warning is None


def test_html_is_detected_without_a_suffix(tmp_path: Path):
    page = tmp_path / "page"
    page.write_text("<!doctype html><html><body><p>Hi</p></body></html>")
    assert read_file(page).content_type == "text/html"
    assert looks_like_html(b"<div class='x'>") and not looks_like_html(b"plain words only")


def test_oversize_and_missing_files(tmp_path: Path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 2048)
    assert read_file(big, max_bytes=1024).error_kind == "too_large"
    assert read_file(tmp_path / "missing.txt").error_kind == "io"


def test_device_files_are_refused_without_reading_them():
    doc = read_file("/dev/zero")
    assert doc.error_kind == "not_a_file" and doc.text is None


def test_utf16_files_with_a_byte_order_mark_are_text(tmp_path: Path):
    text = "Ketamine relieves chronic pain — in 60% of patients, says a 2021 trial."
    for name, data in (("le.txt", text.encode("utf-16")),          # BOM + little-endian
                       ("be.html", codecs.BOM_UTF16_BE + f"<p>{text}</p>".encode("utf-16-be"))):
        (tmp_path / name).write_bytes(data)
        doc = read_file(tmp_path / name)
        assert doc.error is None and text in doc.text and doc.encoding == "utf-16"
    # a byte-order mark in front of binary data (runs of NUL, control bytes) is still binary
    (tmp_path / "fake.txt").write_bytes(codecs.BOM_UTF16_LE + (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64) * 16)
    assert read_file(tmp_path / "fake.txt").error_kind == "binary"
