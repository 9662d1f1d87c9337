"""A zip of templates packed on Chinese Windows lists its files under the names they were given."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from exchange.excel_files import zip_entries


def _zip_with_raw_names(
    entries: dict[bytes, bytes], *, unicode_paths: dict[bytes, str] | None = None
) -> bytes:
    """A zip whose names are the given bytes, without the UTF-8 flag, as Windows Explorer writes them
    in the system's code page. zipfile writes only ASCII or UTF-8 names, so each entry is written under
    an ASCII stand-in of the same length, which is then replaced in the local and central headers."""
    buffer = io.BytesIO()
    stand_ins = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (raw, data) in enumerate(entries.items()):
            stand_in = chr(ord("A") + index).encode() * len(raw)
            assert len(stand_in) == len(raw)
            info = zipfile.ZipInfo(stand_in.decode())
            if unicode_paths and raw in unicode_paths:
                utf8 = unicode_paths[raw].encode("utf-8")
                body = b"\x01" + struct.pack("<I", zlib.crc32(raw)) + utf8
                info.extra = struct.pack("<HH", 0x7075, len(body)) + body
            archive.writestr(info, data)
            stand_ins[stand_in] = raw
    content = buffer.getvalue()
    for stand_in, raw in stand_ins.items():
        assert content.count(stand_in) == 2  # the local header and the central directory
        content = content.replace(stand_in, raw)
    return content


def _names(data: bytes) -> list[str]:
    return [entry.name for entry in zip_entries(data, "湖南.zip")]


def test_names_in_the_windows_code_page_read_as_typed():
    data = _zip_with_raw_names({"长沙经开区.xlsx".encode("gbk"): b"x", "株洲/醴陵.xlsx".encode("gbk"): b"y"})
    assert _names(data) == ["湖南.zip › 长沙经开区.xlsx", "湖南.zip › 株洲/醴陵.xlsx"]


def test_utf8_names_without_the_flag_read_as_typed():
    # Info-ZIP's zip on Linux or a Mac, with a UTF-8 locale, writes the name's bytes as they are.
    data = _zip_with_raw_names({"长沙.xlsx".encode(): b"x", "湘潭经开区.xlsx".encode("gbk"): b"y"})
    assert _names(data) == ["湖南.zip › 长沙.xlsx", "湖南.zip › 湘潭经开区.xlsx"]


def test_a_unicode_path_field_gives_the_name():
    # A name no code page renders (here: the legacy name 7-Zip or WinRAR writes when a character is
    # missing from it) is read from Info-ZIP's Unicode Path field.
    legacy = b"????.xlsx"
    data = _zip_with_raw_names({legacy: b"x"}, unicode_paths={legacy: "鄂尔多斯.xlsx"})
    assert _names(data) == ["湖南.zip › 鄂尔多斯.xlsx"]


def test_a_stale_unicode_path_field_is_ignored():
    # The field holds the CRC of the name it stands beside: after a rename it no longer matches.
    raw = "岳阳.xlsx".encode("gbk")
    data = _zip_with_raw_names({raw: b"x"}, unicode_paths={"别的.xlsx".encode("gbk"): "别的.xlsx"})
    assert _names(data) == ["湖南.zip › 岳阳.xlsx"]


def test_utf8_and_ascii_names_are_read_as_before():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("衡阳.xlsx", b"x")  # zipfile sets the UTF-8 flag
        archive.writestr("hengyang.xlsx", b"y")
    assert _names(buffer.getvalue()) == ["湖南.zip › 衡阳.xlsx", "湖南.zip › hengyang.xlsx"]


def test_bytes_that_are_not_gbk_keep_the_name_python_reads():
    raw = b"\xff\xfe.xlsx"  # neither GBK nor GB18030
    assert _names(_zip_with_raw_names({raw: b"x"})) == [f"湖南.zip › {raw.decode('cp437')}"]
