"""What every format's extractor shares: the file being read, its limits, and its result.

An extractor is a function ``extract(source: Source) -> Extracted``. It reads
``source.data`` and returns the text-and-tables form the parser reads: one line per
paragraph, a table as rows with cells separated by ``\\t``. Bad input raises
:class:`~tracker.imports.checks.ImportRejected` with a Chinese message for the user.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.imports.errors import ImportRejected

LABELS = {
    "text": gettext_lazy("文本文件"),
    "docx": gettext_lazy("Word 文档"),
    "doc": gettext_lazy("Word 97-2003 / WPS 文档"),
    "xlsx": gettext_lazy("Excel 工作簿"),
    "xls": gettext_lazy("Excel 97-2003 工作簿"),
    "pdf": gettext_lazy("PDF 文档"),
    "ofd": gettext_lazy("OFD 文档"),
    "image": gettext_lazy("图片"),
}


@dataclass
class Extracted:
    text: str
    # 1-based line numbers of ``text`` that came out of OCR (to be reviewed by a person)
    ocr_lines: set[int] = field(default_factory=set)
    ocr_pages: int = 0


@dataclass
class Source:
    """One file being read: its bytes, a progress callback, and the clock it runs against."""

    name: str
    data: bytes
    progress: Callable[[int, str], None] | None = None
    started: float = field(default_factory=time.monotonic)

    @property
    def time_limit(self) -> int:
        return settings.DUBAN_IMPORT_TIME_LIMIT

    def remaining(self) -> float:
        return self.time_limit - (time.monotonic() - self.started)

    def check_time(self) -> None:
        if self.remaining() <= 0:
            raise ImportRejected(
                _(
                    "读取文件“%(name)s”超过了 %(seconds)s 秒的时限：文件过大或过于复杂，请拆分后再上传。"
                )
                % {"name": self.name, "seconds": self.time_limit}
            )

    def report(self, done: int, total: int, stage: str) -> None:
        """Progress within extraction (5 % to 35 % of the job)."""
        if self.progress and total:
            self.progress(5 + 30 * min(done, total) // total, stage)

    def damaged(self, kind: str) -> ImportRejected:
        return ImportRejected(
            _("无法读取%(kind)s“%(name)s”：文件已损坏或格式不对。")
            % {"kind": LABELS[kind], "name": self.name}
        )

    def encrypted(self, kind: str) -> ImportRejected:
        return ImportRejected(
            _("%(kind)s“%(name)s”设置了密码或已加密，无法读取：请取消密码后再上传。")
            % {"kind": LABELS[kind], "name": self.name}
        )


# --- zip packages (.docx, .xlsx, .ofd) ----------------------------------------------------


def open_zip(source: Source, kind: str) -> zipfile.ZipFile:
    """The package, once its members are known to stay within the limits (no zip bomb).

    zipfile never inflates a member past the size its header declares, so bounding the
    declared sizes bounds what any reader of the package can unpack.
    """
    import io

    try:
        package = zipfile.ZipFile(io.BytesIO(source.data))
        members = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise source.damaged(kind) from None
    total = sum(member.file_size for member in members)
    if len(members) > settings.DUBAN_IMPORT_MAX_ZIP_MEMBERS or (
        total > settings.DUBAN_IMPORT_MAX_UNZIPPED_BYTES
    ):
        raise bomb(source)
    if any(member.flag_bits & 0x1 for member in members):
        raise source.encrypted(kind)
    for member in members:
        if member.filename.lower().endswith((".xml", ".rels")) and member.file_size:
            try:
                with package.open(member) as stream:
                    head = stream.read(4096)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
                raise source.damaged(kind) from None
            if b"<!ENTITY" in head or b"<!DOCTYPE" in head:
                raise bomb(source)
    return package


def bomb(source: Source) -> ImportRejected:
    return ImportRejected(
        _("文件“%(name)s”解压后过大或含有可疑的内部结构（压缩炸弹或 XML 实体），已拒绝读取。")
        % {"name": source.name}
    )


# --- external programs (LibreOffice, tesseract) -------------------------------------------


def tool_missing(program: str, package: str) -> ImportRejected:
    return ImportRejected(
        _(
            "服务器未安装读取此类文件所需的程序 %(program)s：请管理员安装 Debian 软件包 %(package)s 后重试。"
        )
        % {"program": program, "package": package}
    )


def _limit_memory():  # runs in the child, before exec
    limit = settings.DUBAN_IMPORT_TOOL_MEMORY_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_tool(source: Source, args: list[str], *, cwd: str | Path, what: str) -> bytes:
    """Run a converter with the file's remaining time and a memory ceiling; its stdout.

    The program runs in a session of its own so that on time-out the whole group (LibreOffice
    starts helpers) is killed, not only the first process.
    """
    source.check_time()
    environ = {**os.environ, "OMP_THREAD_LIMIT": "1", "HOME": str(cwd)}
    process = subprocess.Popen(
        args,
        cwd=cwd,
        env=environ,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_limit_memory,
        start_new_session=True,
    )
    try:
        stdout, _stderr = process.communicate(timeout=max(1.0, source.remaining()))
    except subprocess.TimeoutExpired:
        _kill_group(process)
        source.started -= source.time_limit  # the time is spent: say so
        source.check_time()
        raise
    finally:
        if process.poll() is None:
            _kill_group(process)
    if process.returncode != 0:
        raise source.damaged(what)
    return stdout


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def scratch_dir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="duban-import-")
