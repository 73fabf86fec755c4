"""OFD (GB/T 33190), the national format of electronic official documents: a small reader.

An OFD file is a zip of XML: ``OFD.xml`` names each document's ``Document.xml``, which lists
its pages (``Pages/Page_N/Content.xml``). A page's text is ``TextObject`` elements placed by
their ``Boundary`` (x y width height, millimetres, y downwards), each holding ``TextCode``
runs at ``X``/``Y`` (the baseline) within it, spaced by ``DeltaX`` (``g n d`` repeats ``d``
n times). The objects are written in any order: they are placed back as words by position
and read by :mod:`layout` like a PDF's text layer, ruled tables (``PathObject`` strokes)
and tables drawn as cells by position included.

No maintained Python library reads OFD's text (the few packages on PyPI render it or convert
it to PDF, with heavy dependencies); this reader takes the text only. The package goes
through :func:`base.open_zip` first (member count, unpacked size, encryption), and no member
with a DTD is parsed: no zip or XML bomb gets through.
"""

from __future__ import annotations

import logging
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from tracker.imports.errors import ImportRejected
from tracker.imports.formats import layout
from tracker.imports.formats.base import Extracted, Source, bomb, open_zip
from tracker.imports.formats.grid import Rule

logger = logging.getLogger(__name__)
TAB_GAP = 0.8  # separate text objects this far apart (in character heights) are table cells


def extract(source: Source) -> Extracted:
    package = open_zip(source, "ofd")
    try:
        return _read(source, package)
    except (ImportRejected, TimeoutError):
        raise
    except Exception as exc:  # a damaged package can break in many ways
        logger.info("ofd %s unreadable: %r", source.name, exc)
        raise source.damaged("ofd") from None
    finally:
        package.close()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str):
    return (child for child in element.iter() if _local(child.tag) == name)


def _xml(source: Source, package: zipfile.ZipFile, path: str) -> ET.Element:
    data = package.read(_member(package, path))
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise bomb(source)
    return ET.fromstring(data)


def _member(package: zipfile.ZipFile, path: str) -> str:
    wanted = posixpath.normpath(path.lstrip("/"))
    for name in package.namelist():
        if posixpath.normpath(name).lower() == wanted.lower():
            return name
    raise KeyError(path)


def _read(source: Source, package: zipfile.ZipFile) -> Extracted:
    root = _xml(source, package, "OFD.xml")
    documents = [(e.text or "").strip() for e in _children(root, "DocRoot")]
    page_paths = []
    for document_path in filter(None, documents):
        document = _xml(source, package, document_path)
        folder = posixpath.dirname(document_path.lstrip("/"))
        for page in _children(document, "Page"):
            location = page.get("BaseLoc")
            if location:
                page_paths.append(
                    location.lstrip("/")
                    if location.startswith("/")
                    else posixpath.join(folder, location)
                )
    total = len(page_paths)
    if total > settings.DUBAN_IMPORT_MAX_PAGES:
        raise ImportRejected(
            _("OFD 文档“%(name)s”共 %(pages)s 页，超过上限 %(limit)s 页：请拆分后再上传。")
            % {"name": source.name, "pages": total, "limit": settings.DUBAN_IMPORT_MAX_PAGES}
        )
    pages = []
    for number, path in enumerate(page_paths, 1):
        source.check_time()
        pages.append(layout.read_page(_page(_xml(source, package, path)), tab_gap=TAB_GAP))
        source.report(
            number,
            total,
            _("正在读取 OFD 第 %(n)s/%(total)s 页") % {"n": number, "total": total},
        )
    return Extracted("\n".join(layout.document_lines(pages)))


def _numbers(value: str | None) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:[eE]-?\d+)?", value or "")]


def _deltas(value: str | None) -> list[float]:
    """DeltaX / DeltaY: numbers, where ``g n d`` stands for d repeated n times."""
    out: list[float] = []
    tokens = (value or "").split()
    index = 0
    while index < len(tokens):
        if tokens[index] == "g" and index + 2 < len(tokens):
            out.extend([float(tokens[index + 2])] * int(float(tokens[index + 1])))
            index += 3
        else:
            out.append(float(tokens[index]))
            index += 1
    return out


def _page(content: ET.Element) -> layout.Page:
    words: list[layout.Word] = []
    rules: list[Rule] = []
    for element in content.iter():
        kind = _local(element.tag)
        if kind == "TextObject":
            words.extend(_text_object(element))
        elif kind == "PathObject":
            rules.extend(_path_object(element))
    return layout.Page(words, rules)


def _ctm(element: ET.Element) -> tuple[float, ...]:
    ctm = _numbers(element.get("CTM"))
    return tuple(ctm) if len(ctm) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _text_object(element: ET.Element) -> list[layout.Word]:
    box = _numbers(element.get("Boundary"))
    if len(box) < 4:
        return []
    a, b, c, d, e, f = _ctm(element)
    size = (_numbers(element.get("Size")) or [3.5])[0] * (abs(d) or 1.0)
    out = []
    x, y = 0.0, 0.0
    for code in _children(element, "TextCode"):
        text = code.text or ""
        if code.get("X") is not None:
            x = float(code.get("X") or 0)
        if code.get("Y") is not None:
            y = float(code.get("Y") or 0)
        if not text.strip():
            continue
        advance = sum(_deltas(code.get("DeltaX"))[: max(len(text) - 1, 0)])
        last = size if "\u2e80" <= text[-1] <= "\uffef" else size * 0.55
        start_x, base = box[0] + a * x + c * y + e, box[1] + b * x + d * y + f
        end_x = start_x + abs(a or 1.0) * advance + last
        if not code.get("DeltaX"):
            end_x = start_x + sum(
                size if "\u2e80" <= ch <= "\uffef" else size * 0.55 for ch in text
            )
        out.append(layout.Word(start_x, base - 0.88 * size, end_x, base + 0.12 * size, text))
    return out


def _path_object(element: ET.Element) -> list[Rule]:
    """The straight strokes of a PathObject's AbbreviatedData (M, L, B, Q, A, C commands)."""
    box = _numbers(element.get("Boundary"))
    if len(box) < 4 or element.get("Stroke", "true") == "false":
        return []
    data = next(_children(element, "AbbreviatedData"), None)
    if data is None or not data.text:
        return []
    a, b, c, d, e, f = _ctm(element)
    tokens = data.text.split()
    out: list[Rule] = []
    start = current = None
    index = 0
    while index < len(tokens) and len(out) < 400:
        command = tokens[index]
        arguments = {"M": 2, "S": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}.get(command)
        if arguments is None:
            index += 1
            continue
        values = [float(v) for v in tokens[index + 1 : index + 1 + arguments]]
        index += 1 + arguments
        if command == "C":
            if current and start:
                _stroke(out, current, start)
            current = start
            continue
        if len(values) < 2:
            break
        point = (
            box[0] + a * values[-2] + c * values[-1] + e,
            box[1] + b * values[-2] + d * values[-1] + f,
        )
        if command == "L" and current:
            _stroke(out, current, point)
        if command in ("M", "S"):
            start = point
        current = point
    return out


def _stroke(out: list[Rule], p: tuple[float, float], q: tuple[float, float]) -> None:
    (x0, y0), (x1, y1) = p, q
    if abs(y0 - y1) <= 0.3 or abs(x0 - x1) <= 0.3:
        out.append(Rule(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
