"""The parser's entry point: a gazette file to documents and items.

    gazette = parse_file("seed.txt")
    print(summary(gazette))
    json.dumps(to_json(gazette), ensure_ascii=False)

Stages: decode -> clean -> split -> items (owners, tables, deadlines). Only
:class:`~gazette.decode.GazetteDecodeError` is raised, for files that
are not text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gazette.clean import clean
from gazette.decode import GazetteDecodeError, decode_bytes
from gazette.items import find_items
from gazette.model import Item
from gazette.split import Document, split

__all__ = [
    "Gazette",
    "GazetteDecodeError",
    "ParsedDocument",
    "parse_bytes",
    "parse_file",
    "parse_text",
    "summary",
    "to_json",
]


@dataclass
class ParsedDocument:
    document: Document
    items: list[Item]


@dataclass
class Gazette:
    source: str
    documents: list[ParsedDocument]
    warnings: list[str] = field(default_factory=list)


def parse_text(text: str, name: str = "<text>") -> Gazette:
    gazette = Gazette(name, [])
    for document in split(clean(text)):
        items = find_items(document)
        gazette.documents.append(ParsedDocument(document, items))
        if not document.doc_number and not document.title:
            gazette.warnings.append(f"line {document.line_start}: document without title")
        if document.doc_number and document.signed is None:
            gazette.warnings.append(f"{document.doc_number}: no signing date found")
    if not gazette.documents:
        gazette.warnings.append("no document found (the text is empty)")
    return gazette


def parse_bytes(data: bytes, name: str = "<bytes>") -> Gazette:
    return parse_text(decode_bytes(data, name), name)


def parse_file(path: str | Path) -> Gazette:
    path = Path(path)
    return parse_bytes(path.read_bytes(), path.name)


# --- output ----------------------------------------------------------------------


def item_json(item: Item) -> dict[str, Any]:
    owners = item.owners
    return {
        "ref": item.ref,
        "line": item.line,
        "text": item.text,
        "kind": item.kind,
        "section": item.section,
        "lead_units": owners.lead_units,
        "co_units": owners.co_units,
        "responsible_units": owners.responsible_units,
        "responsible_leaders": owners.responsible_leaders,
        "responsible_offices": owners.responsible_offices,
        "responsible_persons": owners.responsible_persons,
        "tags": owners.tags,
        "deadlines": [
            {
                "expr": d.expr,
                "date": d.date.isoformat() if d.date else None,
                "recurrence": d.recurrence,
                "what": d.what,
            }
            for d in item.deadlines
        ],
        "due": item.due.isoformat() if item.due else None,
        "fields": item.fields,
        "rule": item.rule,
        "confidence": item.confidence,
        "uncertain": item.uncertain,
    }


def document_json(parsed: ParsedDocument) -> dict[str, Any]:
    doc = parsed.document
    return {
        "title": doc.title,
        "doc_number": doc.doc_number,
        "issuer": doc.issuer,
        "signed": doc.signed.isoformat() if doc.signed else None,
        "addressees": doc.addressees,
        "attachments": doc.attachments,
        "line_start": doc.line_start,
        "line_end": doc.line_end,
        "items": [item_json(item) for item in parsed.items],
    }


def to_json(gazette: Gazette) -> dict[str, Any]:
    """The object ``score_extraction.py`` reads, one per input file."""
    return {
        "source": gazette.source,
        "documents": [document_json(parsed) for parsed in gazette.documents],
        "warnings": gazette.warnings,
    }


def summary(gazette: Gazette) -> str:
    """A readable overview: documents, items per document, warnings."""
    lines = [
        f"{gazette.source}: {len(gazette.documents)} documents, "
        f"{sum(len(p.items) for p in gazette.documents)} items"
    ]
    for parsed in gazette.documents:
        doc = parsed.document
        signed = doc.signed.isoformat() if doc.signed else "-"
        lines.append(
            f"  [{doc.line_start}-{doc.line_end}] {doc.doc_number or '(无文号)'} "
            f"{doc.title}  {signed}  items: {len(parsed.items)}"
        )
    lines.extend(f"  warning: {warning}" for warning in gazette.warnings)
    return "\n".join(lines)
