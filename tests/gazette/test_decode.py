"""Stage 1: bytes to text, or GazetteDecodeError naming the file."""

import codecs

import pytest

from gazette.decode import GazetteDecodeError, decode_bytes

TEXT = "晋城市人民政府办公室\n关于印发某某方案的通知\n"


def test_it_reads_utf8_without_bom():
    assert decode_bytes(TEXT.encode("utf-8"), "a.txt") == TEXT


def test_it_drops_the_utf8_bom():
    assert decode_bytes(codecs.BOM_UTF8 + TEXT.encode("utf-8"), "a.txt") == TEXT


def test_it_reads_gb18030_and_gbk():
    assert decode_bytes(TEXT.encode("gb18030"), "a.txt") == TEXT
    assert decode_bytes(TEXT.encode("gbk"), "a.txt") == TEXT


def test_it_normalises_windows_newlines():
    assert decode_bytes("一\r\n二\r三".encode(), "a.txt") == "一\n二\n三"


def test_a_binary_file_is_a_clear_error_naming_it():
    with pytest.raises(GazetteDecodeError) as caught:
        decode_bytes(b"%PDF-1.7\x00\x01\x02binary", "scan.pdf")
    assert "scan.pdf" in str(caught.value)
    assert caught.value.name == "scan.pdf"


def test_undecodable_bytes_are_a_clear_error():
    with pytest.raises(GazetteDecodeError, match="bad.txt"):
        decode_bytes(b"\xff\xfe\xfd\x80\x81 text", "bad.txt")


def test_a_bom_with_broken_utf8_is_an_error():
    with pytest.raises(GazetteDecodeError, match="BOM"):
        decode_bytes(codecs.BOM_UTF8 + b"\xc3\x28", "x.txt")


def test_the_error_is_a_value_error():
    assert issubclass(GazetteDecodeError, ValueError)
