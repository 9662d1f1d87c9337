"""Which uploaded files may be read as a filled template, and unpacking a zip of them safely.

Every file goes through the shared upload check (`security.uploads.upload_check`: content type,
package structure, macros, embedded objects, size); before it, what that check would only call a
wrong type gets its real reason here: an encrypted workbook (an OLE container, not a zip), a
macro-enabled .xlsm. A zip of templates is unpacked entry by entry with limits on count, size and
compression ratio, so a zip bomb is refused without being inflated.
"""

from __future__ import annotations

import io
import os
import zipfile
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
        entry = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
        if entry.startswith(".") or info.filename.startswith("__MACOSX/"):
            continue
        shown = f"{name} › {entry}"
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
