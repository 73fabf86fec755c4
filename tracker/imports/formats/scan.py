"""Scans: a page image read by OCR that runs offline (Debian's tesseract with chi_sim).

tesseract and its Chinese data come from Debian's packages (tesseract-ocr,
tesseract-ocr-chi-sim): nothing is downloaded at run time. The words it finds, with their
boxes (TSV output), are put back into lines and table cells by :mod:`layout`; a ruled
table is found first by its ruling lines in the image (:mod:`raster`), the rulings erased
before OCR, and each word put in the cell it falls in: the table is read row by row. Every line
read this way is marked, so that the preview asks a person to check its items.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from tracker.imports.errors import ImportRejected
from tracker.imports.formats import layout, raster
from tracker.imports.formats.base import Extracted, Source, run_tool, scratch_dir, tool_missing

TESSERACT_PACKAGES = "tesseract-ocr tesseract-ocr-chi-sim"
LANGUAGES = "chi_sim"
MAX_PIXELS = 60_000_000  # a page image larger than this is refused (Pillow's bomb guard too)


def tesseract() -> str:
    program = shutil.which("tesseract")
    if program is None:
        raise tool_missing("tesseract", TESSERACT_PACKAGES)
    return program


def ocr_png(source: Source, png: bytes) -> list[layout.Line]:
    """The lines of one page image (PNG bytes), its ruled tables row by row."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as opened:
        image = opened.convert("L")
    rules = raster.rules(image)
    if rules:  # the rulings erased, so that OCR reads only the text between them
        image = raster.erase(image, rules)
        out = io.BytesIO()
        image.save(out, format="PNG")
        png = out.getvalue()
    program = tesseract()
    with scratch_dir() as folder:
        page = Path(folder) / "page.png"
        page.write_bytes(png)
        out_tsv = run_tool(
            source,
            [program, str(page), "stdout", "-l", LANGUAGES, "--psm", "6", "tsv"],
            cwd=folder,
            what="image",
        )
    words = []
    for row in csv.DictReader(
        io.StringIO(out_tsv.decode("utf-8", "replace")), delimiter="\t", quoting=csv.QUOTE_NONE
    ):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text or float(row.get("conf") or -1) < 0:
            continue
        left, top = int(row["left"]), int(row["top"])
        words.append(
            layout.Word(left, top, left + int(row["width"]), top + int(row["height"]), text)
        )
    return [line for line in layout.read_page(layout.Page(words, rules)) if line.text.strip()]


def no_text(source: Source) -> ImportRejected:
    return ImportRejected(
        _("扫描件“%(name)s”经 OCR 识别后没有文字：请确认扫描清晰，或上传文字版。")
        % {"name": source.name}
    )


def check_ocr_pages(source: Source, pages: int) -> None:
    if pages > settings.DUBAN_IMPORT_MAX_OCR_PAGES:
        raise ImportRejected(
            _(
                "扫描件“%(name)s”有 %(pages)s 页需要 OCR 识别，超过上限 %(limit)s 页：请拆分后分批上传，或上传文字版。"
            )
            % {"name": source.name, "pages": pages, "limit": settings.DUBAN_IMPORT_MAX_OCR_PAGES}
        )


def extract_image(source: Source) -> Extracted:
    """A .png / .jpg: one page read by OCR (as a grey PNG, its size checked first)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(source.data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ImportRejected(
                    _("图片“%(name)s”过大，无法识别：请以 300 dpi 以下重新扫描。")
                    % {"name": source.name}
                )
            out = io.BytesIO()
            image.convert("L").save(out, format="PNG")
    except ImportRejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise source.damaged("image") from None
    source.report(0, 1, _("正在 OCR 识别第 %(n)s/%(total)s 页") % {"n": 1, "total": 1})
    lines = layout.document_lines([ocr_png(source, out.getvalue())])
    if not lines:
        raise no_text(source)
    return Extracted("\n".join(lines), set(range(1, len(lines) + 1)), ocr_pages=1)
