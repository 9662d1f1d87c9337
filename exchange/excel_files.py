"""Which uploaded files may be read as a filled template, and unpacking a zip of them safely.

Every file goes through the shared upload check (`security.uploads.upload_check`: content type,
package structure, macros, embedded objects, size); before it, what that check would only call a
wrong type gets its real reason here: an encrypted workbook (an OLE container, not a zip), a
macro-enabled .xlsm. A zip of templates is unpacked entry by entry with limits on count, size and
compression ratio, so a zip bomb is refused without being inflated. Its entries keep the names
they were given on Chinese Windows, whose own zip tool writes them in GBK (`entry_name`).
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from security.uploads import megabytes, upload_check, upload_max_bytes

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_EXTENSIONS = frozenset({"xlsm", "xltm", "xlsb", "xlam"})
ZIP_MAX_ENTRIES = 1000
ZIP_MAX_TOTAL = 500 * 1024 * 1024
ZIP_MAX_RATIO = 200  # an Office package compresses about 5-10×; hundreds of times is a bomb


@dataclass(frozen=True)
class NamedFile:
    name: str
    data: bytes | None
    refused: str = ""  # the reason, when the file cannot be read at all


class _Bytes(io.BytesIO):
    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name
        self.size = len(data)


def template_file_check(data: bytes, name: str) -> None:
    """Raise ValidationError with the Chinese reason unless `data` may be read as a filled template."""
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    if len(data) > upload_max_bytes():
        raise ValidationError(
            f"文件大小为 {megabytes(len(data))}，超过 {megabytes(upload_max_bytes())} 的上限，请删除多余内容后重新上传。",
            code="too_large",
        )
    if data[:8] == OLE_MAGIC:
        raise ValidationError(
            "文件已加密（设置了打开密码）或是旧版 .xls 格式，系统无法检查其内容；请另存为不加密的 .xlsx 文件后上传。",
            code="encrypted",
        )
    if extension in MACRO_EXTENSIONS:
        raise ValidationError(
            f"含宏的工作簿（.{extension}）出于安全原因不能导入；请在 Excel 中另存为“Excel 工作簿（.xlsx）”后上传。",
            code="macro",
        )
    if data[:4] == b"PK\x03\x04":
        try:
            zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            raise ValidationError(
                "文件已损坏或不完整，无法打开；请在 Excel 中重新保存为 .xlsx 后上传。", code="broken"
            ) from None
    upload_check(_Bytes(data, name), accept=("xlsx",), what="填报模板")


_UTF8_NAME = 0x800  # general purpose flag bit 11: the name is UTF-8
_UNICODE_PATH = 0x7075  # Info-ZIP's extra field: the name in UTF-8 beside a legacy one


def _unicode_path(info: zipfile.ZipInfo, raw: bytes) -> str | None:
    """The UTF-8 name of Info-ZIP's Unicode Path field, if the entry has one for the name it carries
    (the field holds the CRC-32 of that name: a tool that renamed the entry leaves a stale field)."""
    extra = info.extra
    while len(extra) >= 4:
        kind, size = struct.unpack("<HH", extra[:4])
        body, extra = extra[4 : 4 + size], extra[4 + size :]
        if kind != _UNICODE_PATH or len(body) <= 5 or body[0] != 1:
            continue
        if struct.unpack("<I", body[1:5])[0] != zlib.crc32(raw):
            return None
        try:
            return body[5:].decode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


def entry_name(info: zipfile.ZipInfo) -> str:
    """An entry's name as the person who packed the zip saw it.

    A name without the UTF-8 flag is, by the zip standard, CP437, and Python reads it so. But Chinese
    Windows (Explorer's 发送到 → 压缩(zipped)文件夹, older WinRAR and 360压缩) writes such names in the
    system's code page, GBK: "长沙.xlsx" would read "│ñ╔│.xlsx". And `zip` on Linux or a Mac writes
    UTF-8 without the flag. Such a name is read from Info-ZIP's Unicode Path field where there is
    one, else as UTF-8 when its bytes are UTF-8 (GBK names practically never are), else as GB18030
    (which contains GBK); a name that is none of these is kept as Python read it."""
    if info.flag_bits & _UTF8_NAME:
        return info.filename
    raw = info.orig_filename.encode("cp437")  # what Python decoded as CP437, byte for byte
    unicode_path = _unicode_path(info, raw)
    if unicode_path is not None:
        return unicode_path
    if raw.isascii():
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def zip_entries(data: bytes, name: str) -> Iterator[NamedFile]:
    """The files of a zip of templates; an entry that must not be unpacked comes with its reason."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        yield NamedFile(name, None, "压缩包已损坏，无法打开。")
        return
    if len(infos) > ZIP_MAX_ENTRIES:
        yield NamedFile(name, None, f"压缩包内文件过多（{len(infos)} 个，上限 {ZIP_MAX_ENTRIES} 个）。")
        return
    total = 0
    limit = upload_max_bytes()
    for info in infos:
        path = entry_name(info).replace("\\", "/")
        entry = path.rsplit("/", 1)[-1]
        if entry.startswith(".") or path.startswith("__MACOSX/"):
            continue
        # With its folders: two 长沙.xlsx of two folders are told apart in the outcome list.
        shown = f"{name} › {path}"
        if info.flag_bits & 0x1:
            yield NamedFile(shown, None, "压缩包内的文件已加密，无法读取；请去掉压缩密码后重新打包。")
            continue
        if info.file_size > limit:
            yield NamedFile(
                shown, None, f"文件解压后为 {megabytes(info.file_size)}，超过 {megabytes(limit)} 的上限。"
            )
            continue
        if (
            info.compress_size
            and info.file_size / info.compress_size > ZIP_MAX_RATIO
            and info.file_size > 1024 * 1024
        ):
            yield NamedFile(shown, None, "文件压缩比异常（疑似压缩炸弹），不予解压。")
            continue
        total += info.file_size
        if total > ZIP_MAX_TOTAL:
            yield NamedFile(shown, None, "压缩包解压后总大小超过上限，其余文件未读取。")
            return
        if entry.lower().endswith(".zip"):
            yield NamedFile(shown, None, "压缩包内不能再套压缩包，请解压后重新打包。")
            continue
        try:
            with archive.open(info) as handle:
                content = handle.read(limit + 1)
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
            yield NamedFile(shown, None, "压缩包内的文件已损坏，无法解压。")
            continue
        if len(content) > limit:
            yield NamedFile(shown, None, f"文件解压后超过 {megabytes(limit)} 的上限。")
            continue
        yield NamedFile(shown, content)
