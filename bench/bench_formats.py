"""Read one seed gazette written in every format, as the import reads it; time and memory.

    .venv/bin/python bench/bench_formats.py          (or `make bench`)

The first seed (../shared/seeds, BENCH_SEEDS to override) is written as .docx, .xlsx, .doc
(LibreOffice, when installed), a text PDF (fpdf2 and a CJK font; tables as ruled tables) and
an OFD (tests/format_files.py); its first BENCH_OCR_PAGES pages (default 2) are rasterised to
a scan. Each line: format, items found by the parser, how many of them are the .txt's own
(same text, owners and dates), seconds, peak Python memory (tracemalloc) and the largest RSS
of any child process so far (getrusage keeps a maximum: LibreOffice writing the test files
counts too); then OCR pages per second. Without seeds it says so and exits 0.
"""

import os
import re
import resource
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

from machine import cpu_model, setup_django

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("BENCH_SEEDS", ROOT.parent / "shared" / "seeds"))
OCR_PAGES = int(os.environ.get("BENCH_OCR_PAGES", "2"))


def measure(name, data, *, twice=True):
    """Items, seconds (untraced), peak Python memory (a second, traced run), child RSS."""
    from gazette.pipeline import parse_text
    from tracker.imports.extract import extract

    def run():
        extracted = extract(name, data)
        return [i for p in parse_text(extracted.text, name).documents for i in p.items], extracted

    started = time.perf_counter()
    if twice:  # tracemalloc slows Python down: time a run without it
        run()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    started = time.perf_counter()
    items, extracted = run()
    if not twice:
        seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return items, seconds, peak / 2**20, child, extracted


def close(ocr, want) -> bool:
    """An OCR'd item is the text layer's when owners and dates match and the text nearly so."""
    import difflib

    def bare(text):
        return "".join(ch for ch in text if ch.isalnum())

    return (repr(ocr.owners), repr(ocr.deadlines)) == (
        repr(want.owners),
        repr(want.deadlines),
    ) and (difflib.SequenceMatcher(None, bare(ocr.text), bare(want.text)).ratio() >= 0.9)


def signatures(items):
    """What must be the same as the .txt's: text, owners with their roles, deadlines."""
    return Counter((i.text, repr(i.owners), repr(sorted(map(repr, i.deadlines)))) for i in items)


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
    pdf = format_files.pdf_bytes(text)
    if pdf:
        files.append(("pdf", pdf))
    files.append(("ofd", format_files.ofd_bytes(text)))
    reference = None
    for kind, data in files:
        items, seconds, peak, child, _e = measure(f"seed.{kind}", data)
        reference = reference or signatures(items)
        same = sum((signatures(items) & reference).values())
        print(
            f"{kind:5} {len(data) / 1024:8.0f} KiB  items {len(items):4} (as .txt: {same:4})  "
            f"{seconds:6.2f} s  peak python {peak:6.1f} MiB  max child rss {child:6.1f} MiB"
        )
    if pdf and format_files.has_tesseract():
        import io

        import pypdfium2
        from pypdf import PdfReader, PdfWriter

        # the BENCH_OCR_PAGES pages from a document's first page (its 文号) whose text layer
        # gives the most items
        reader = PdfReader(io.BytesIO(pdf))
        document = pypdfium2.PdfDocument(pdf)
        starts = [
            index
            for index, page in enumerate(document)
            if re.search(r"[〔\[]\d{4}[〕\]]\d+号", page.get_textpage().get_text_range())
        ]

        def pages_from(first):
            writer = PdfWriter()
            for page in reader.pages[first : first + OCR_PAGES]:
                writer.add_page(page)
            out = io.BytesIO()
            writer.write(out)
            return out

        def text_layer_items(first):
            from gazette.pipeline import parse_text
            from tracker.imports.extract import extract

            text = extract("head.pdf", pages_from(first).getvalue()).text
            return sum(len(p.items) for p in parse_text(text, "head.pdf").documents)

        first = max(starts or [0], key=text_layer_items)
        head = pages_from(first)
        scan = format_files.scan_pdf_bytes(head.getvalue(), dpi=300)
        want, *_ = measure("head.pdf", head.getvalue())
        items, seconds, peak, child, extracted = measure("seed-scan.pdf", scan, twice=False)
        pages = len(pypdfium2.PdfDocument(scan))
        matched = sum(1 for w in want if any(close(g, w) for g in items))
        print(
            f"scan  {pages} pages (from page {first + 1})  items {len(items)}, "
            f"{matched} of the text layer's {len(want)} (owners, dates, text >= 90%)"
            f"  {seconds:6.2f} s  peak python {peak:6.1f} MiB  max child rss {child:6.1f} MiB"
        )
        print(f"OCR: {pages / seconds:.2f} pages/s ({extracted.ocr_pages} pages, 300 dpi)")


if __name__ == "__main__":
    sys.exit(main())
