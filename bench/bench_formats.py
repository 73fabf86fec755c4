"""Read one seed gazette written in every format, as the import reads it; time and memory.

    .venv/bin/python bench/bench_formats.py          (or `make bench`)

The first seed (../shared/seeds, BENCH_SEEDS to override) is written as .docx, .xlsx, .doc
(LibreOffice, when installed) and a text PDF (fpdf2 and a CJK font; table rows as lines); its first
BENCH_OCR_PAGES pages (default 2) are rasterised to a scan. Each line: format, items found by
the parser, seconds, peak Python memory (tracemalloc) and the largest RSS of any child process
so far (getrusage keeps a maximum: LibreOffice writing the test files counts too); then OCR
pages per second. Without seeds it says so and exits 0.
"""

import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

from machine import cpu_model, setup_django

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("BENCH_SEEDS", ROOT.parent / "shared" / "seeds"))
OCR_PAGES = int(os.environ.get("BENCH_OCR_PAGES", "2"))


def measure(name, data):
    from gazette.pipeline import parse_text
    from tracker.imports.extract import extract

    tracemalloc.start()
    started = time.perf_counter()
    extracted = extract(name, data)
    items = sum(len(p.items) for p in parse_text(extracted.text, name).documents)
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return items, seconds, peak / 2**20, child, extracted


def main():
    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        print(f"no seeds in {SEEDS}: nothing to measure")
        return
    setup_django("duban-bench-formats-")
    import logging

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    from tests import format_files

    seed = seeds[0]
    text = seed.read_text(encoding="utf-8")
    print(f"cpu: {cpu_model()}; cores: {os.cpu_count()}; seed {seed.name} ({len(text)} chars)")
    files = [
        ("txt", text.encode()),
        ("docx", format_files.docx_bytes(text)),
        ("xlsx", format_files.xlsx_bytes(text)),
    ]
    if format_files.soffice():
        files.append(("doc", format_files.doc_bytes(text)))
        files.append(("wps", files[-1][1]))
    # tables as lines of text: fpdf2 cannot lay a table row taller than a page, and the
    # import reads a PDF table as its text layer's lines anyway
    pdf = format_files.pdf_bytes(text.replace("\t", "  "))
    if pdf:
        files.append(("pdf", pdf))
    for kind, data in files:
        items, seconds, peak, child, _e = measure(f"seed.{kind}", data)
        print(
            f"{kind:5} {len(data) / 1024:8.0f} KiB  items {items:4}  {seconds:6.2f} s  "
            f"peak python {peak:6.1f} MiB  max child rss {child:6.1f} MiB"
        )
    if pdf and format_files.has_tesseract():
        import io

        import pypdfium2
        from pypdf import PdfReader, PdfWriter

        reader, writer = PdfReader(io.BytesIO(pdf)), PdfWriter()
        for page in reader.pages[:OCR_PAGES]:
            writer.add_page(page)
        head = io.BytesIO()
        writer.write(head)
        scan = format_files.scan_pdf_bytes(head.getvalue(), dpi=300)
        want_items, *_ = measure("head.pdf", head.getvalue())
        items, seconds, peak, child, extracted = measure("seed-scan.pdf", scan)
        pages = len(pypdfium2.PdfDocument(scan))
        print(
            f"scan  {pages} pages  items {items} (text layer of the same pages: {want_items})"
            f"  {seconds:6.2f} s  peak python {peak:6.1f} MiB  max child rss {child:6.1f} MiB"
        )
        print(f"OCR: {pages / seconds:.2f} pages/s ({extracted.ocr_pages} pages, 300 dpi)")


if __name__ == "__main__":
    sys.exit(main())
