"""Word (.docx): paragraphs in order, each table row as tab-separated cells (python-docx)."""

from __future__ import annotations

import io
import logging

from tracker.imports.formats.base import Extracted, Source, open_zip

logger = logging.getLogger(__name__)


def extract(source: Source) -> Extracted:
    from docx import Document as open_docx
    from docx.table import Table

    open_zip(source, "docx").close()  # bounded before python-docx inflates anything
    try:
        document = open_docx(io.BytesIO(source.data))
        lines = []
        for block in document.iter_inner_content():
            source.check_time()
            if isinstance(block, Table):
                lines.extend(table_rows(block))
            else:
                lines.append(block.text)
    except Exception as exc:  # a damaged upload can break python-docx in many ways
        logger.info("docx %s unreadable: %r", source.name, exc)
        raise source.damaged("docx") from None
    return Extracted("\n".join(lines))


def table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            if cell._tc is previous:  # a horizontally merged cell is listed once per column
                continue
            previous = cell._tc
            cells.append(" ".join(cell.text.split()))
        rows.append("\t".join(cells))
    return rows
