"""Word 97-2003 (.doc), WPS (.wps) and RTF through LibreOffice, then read as a .docx.

LibreOffice (Debian: libreoffice-writer-nogui) converts in a throwaway profile of its
own, so conversions never share state, within the file's time limit and a memory ceiling.
Kingsoft WPS Writer's .wps is the same OLE compound file as a Word 97 .doc (a WordDocument
stream); Microsoft Works .wps LibreOffice reads too. A document protected by a password
is refused before conversion (its FIB says fEncrypted).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tracker.imports.formats import docx
from tracker.imports.formats.base import Extracted, Source, run_tool, scratch_dir, tool_missing

SOFFICE_PACKAGE = "libreoffice-writer-nogui"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def encrypted_word(data: bytes) -> bool:
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            if not ole.exists("WordDocument"):
                return False
            fib = ole.openstream("WordDocument").read(12)
    except Exception:  # damaged: LibreOffice will say so
        return False
    return len(fib) >= 12 and bool(fib[11] & 0x01)  # FIB flags: fEncrypted (bit 8)


def to_docx(source: Source) -> bytes:
    program = soffice()
    if program is None:
        raise tool_missing("soffice（LibreOffice）", SOFFICE_PACKAGE)
    if encrypted_word(source.data):
        raise source.encrypted("doc")
    with scratch_dir() as folder:
        work = Path(folder)
        original = work / "document.bin"
        original.write_bytes(source.data)
        run_tool(
            source,
            [
                program,
                f"-env:UserInstallation=file://{work / 'profile'}",
                "--headless",
                "--norestore",
                "--nolockcheck",
                "--nologo",
                "--convert-to",
                "docx:MS Word 2007 XML",
                "--outdir",
                str(work / "out"),
                str(original),
            ],
            cwd=work,
            what="doc",
        )
        converted = work / "out" / "document.docx"
        if not converted.exists():
            raise source.damaged("doc")
        return converted.read_bytes()


def extract(source: Source) -> Extracted:
    if source.progress:
        source.report(1, 3, "LibreOffice")
    converted = Source(source.name, to_docx(source), source.progress, source.started)
    return docx.extract(converted)
