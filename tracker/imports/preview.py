"""The preview: parsed documents and items with owners resolved, warnings and matches."""

from __future__ import annotations

import difflib
import logging
import re
from datetime import date

from django.db.models import Count
from django.utils.translation import gettext as _

from gazette.pipeline import Gazette
from gazette.text import fold_name
from tracker.imports import merge
from tracker.imports.checks import (
    ITEM_KINDS,
    OTHER_REF_SIMILARITY,
    OWNER_ROLES,
    PERSON_ROLES,
    SAME_REF_SIMILARITY,
    sha256_of,
)
from tracker.imports.units import UnitResolver, guess_unit_kind, is_collective, split_addressees
from tracker.lib import clock, plausible
from tracker.models import (
    Item,
    SourceDocument,
    SourceFile,
)

__all__ = ["UnitResolver", "build_preview", "guess_unit_kind"]

logger = logging.getLogger(__name__)


# --- 4. the preview ---------------------------------------------------------------------


def document_sha256(text: str) -> str:
    return sha256_of(text.encode("utf-8"))


def build_preview(gazette: Gazette, *, text: str, sha256: str, today: date | None = None) -> dict:
    """Plain JSON describing what confirming would create or update, with warnings."""
    today = today or clock.today()
    resolver = UnitResolver.load()
    same_file = SourceFile.objects.filter(sha256=sha256).first()
    preview = {
        "gazette_title": gazette_title(text),
        "gazette_issue": gazette_issue(text),
        "same_file": (
            {
                "id": same_file.pk,
                "name": same_file.name,
                "uploaded_at": same_file.uploaded_at.isoformat(),
            }
            if same_file
            else None
        ),
        "documents": [],
        "skipped_documents": [],
        "parser_warnings": list(gazette.warnings),
    }
    seen_keys = set()
    for parsed in gazette.documents:
        doc = parsed.document
        doc_text = "\n".join(line.text for line in doc.lines)
        key = fold_name(doc.doc_number) or document_sha256(doc_text)
        if not parsed.items or key in seen_keys:
            preview["skipped_documents"].append(
                {
                    "title": doc.title,
                    "doc_number": doc.doc_number,
                    "reason": "duplicate" if parsed.items else "no_items",
                }
            )
            continue
        seen_keys.add(key)
        entry = _document_entry(parsed, doc_text, resolver, today)
        existing = existing_document(entry["doc_number"], entry["sha256"])
        if existing:
            _match_existing(entry, existing)
        else:
            replaced = replaced_document(entry["title"], entry["doc_number"], entry["signed"])
            if replaced:
                entry["replaces"] = {
                    "id": replaced.pk,
                    "title": replaced.title,
                    "doc_number": replaced.doc_number,
                    "signed": replaced.signed_on and replaced.signed_on.isoformat(),
                }
                _match_existing(entry, replaced)
        preview["documents"].append(entry)
    preview["unknown_units"] = _unknown_units(preview["documents"], resolver)
    preview["counts"] = _counts(preview)
    return preview


def gazette_title(text: str) -> str:
    for line in text.split("\n")[:10]:
        line = line.strip()
        if line:
            return line[:200] if "公报" in line else ""
    return ""


def gazette_issue(text: str) -> str:
    match = re.search(
        r"\d{4}\s*年\s*第\s*\d+\s*期(?:\s*[（(]总第\s*\d+\s*期[)）])?",
        "\n".join(text.split("\n")[:20]),
    )
    return re.sub(r"\s+", "", match.group(0))[:100] if match else ""


def existing_document(doc_number: str, sha256: str) -> SourceDocument | None:
    """The document a new version replaces: same 文号 (folded), else the very same text."""
    key = fold_name(doc_number)
    if key:
        found = SourceDocument.objects.filter(doc_number_key=key).first()
        if found:
            return found
    return SourceDocument.objects.filter(sha256=sha256).first()


def replaced_document(title: str, doc_number: str, signed: str | None) -> SourceDocument | None:
    """The earlier version a revised document replaces: the same title, an earlier date and
    another 文号 (a document with the same 文号 is updated in place), not yet replaced."""
    if not signed or not title.strip():
        return None
    key = fold_name(title)
    candidates = (
        SourceDocument.objects.filter(
            signed_on__lt=date.fromisoformat(signed),
            replaced_by__isnull=True,
        )
        .exclude(doc_number_key=fold_name(doc_number))
        .order_by("-signed_on", "-pk")
    )
    for candidate in candidates.only("pk", "title", "doc_number", "signed_on"):
        if fold_name(candidate.title) == key:
            return candidate
    return None


_PERIOD = re.compile(r"(20\d{2})\s*年?\s*(?:—+|－|-|–|~|～|至|到)\s*(20\d{2})\s*年")


def due_options(title: str, doc_text: str, signed: date | None, today: date) -> dict:
    """Default due dates a document offers: the end of its year and, when it states a period
    (2023—2025年), the end of that period."""
    year = (signed or today).year
    options = {"year_end": date(year, 12, 31).isoformat(), "period": None}
    for text in (title, doc_text[:3000]):
        match = _PERIOD.search(text or "")
        if match and int(match.group(1)) < int(match.group(2)) <= year + 20:
            options["period"] = date(int(match.group(2)), 12, 31).isoformat()
            options["period_text"] = match.group(0)
            break
    return options


def _document_entry(parsed, doc_text: str, resolver: UnitResolver, today: date) -> dict:
    doc = parsed.document
    return {
        "due_options": due_options(doc.title, doc_text, doc.signed, today),
        "title": doc.title[:500] or _("（无标题文档）"),
        "doc_number": doc.doc_number[:100],
        "issuer": doc.issuer[:200],
        "signed": _plausible_iso(doc.signed, today),
        "addressees": doc.addressees,
        "line_start": doc.line_start,
        "line_end": max(doc.line_end, doc.line_start),
        "sha256": document_sha256(doc_text),
        "existing": None,
        "gone": [],
        "items": [_item_entry(item, resolver, today) for item in parsed.items],
        # Owners for items that name none: the document's addressees (主送单位), marked
        # default; the office may turn this off per document.
        "default_owners": [
            {"role": "responsible", "name": name, **resolver.owner(name), "default": True}
            for name in split_addressees(doc.addressees or "")
        ],
    }


def _item_entry(item, resolver: UnitResolver, today: date) -> dict:
    owners = []
    for role, attr in OWNER_ROLES:
        for name in _unique(getattr(item.owners, attr)):
            owners.append({"role": role, "name": name, **resolver.owner(name)})
    people = [
        {"role": role, "name": name}
        for role, attr in PERSON_ROLES
        for name in _unique(getattr(item.owners, attr))
    ]
    # A date outside the plausible range (tracker/lib/plausible.py: 0025-06-30 from a year typed
    # with two digits) is not imported as a date: its wording stays, with a warning.
    deadlines = [
        {
            "expr": d.expr,
            "date": _plausible_iso(d.date, today),
            "recurrence": d.recurrence,
            "what": d.what,
            "ongoing": bool(d.ongoing and not d.date),
        }
        for d in item.deadlines
    ]
    implausible = any(d.date and not plausible.is_plausible(d.date, today) for d in item.deadlines)
    due = _plausible_iso(item.due, today)
    if item.due and due is None:  # the latest date that remains
        due = max((d["date"] for d in deadlines if d["date"]), default=None)
    entry = {
        "ref": item.ref[:50],
        "line": item.line,
        "end_line": max(item.end_line or item.line, item.line),
        "text": item.text,
        "kind": ITEM_KINDS.get(item.kind, Item.Kind.TASK),
        "section": item.section[:500],
        "owners": owners,
        "people": people,
        "tags": _unique(item.owners.tags),
        "deadlines": deadlines,
        "due": due,
        "fields": dict(item.fields),
        # How the parser found the item and how sure it is: uncertain items come first.
        "rule": getattr(item, "rule", ""),
        "confidence": round(float(getattr(item, "confidence", 1.0)), 2),
        "uncertain": bool(getattr(item, "uncertain", False)),
        "match": None,
    }
    entry["warnings"] = item_warnings(entry, today)
    if implausible:
        entry["warnings"].append("implausible_date")
    return entry


def _plausible_iso(day: date | None, today: date) -> str | None:
    return day.isoformat() if day and plausible.is_plausible(day, today) else None


def _unique(names) -> list[str]:
    out = []
    for name in names:
        name = name.strip()[:200]
        if name and name not in out:
            out.append(name)
    return out


def item_warnings(entry: dict, today: date) -> list[str]:
    warnings = []
    if not entry["owners"]:
        warnings.append("no_owner")
    elif any(not owner_linked(owner) for owner in entry["owners"]):
        warnings.append("unknown_unit")
    deadlines = entry["deadlines"]
    if not any(d["date"] or d["recurrence"] or d["ongoing"] for d in deadlines):
        warnings.append("no_date")
    if any(d["date"] and d["date"] < today.isoformat() for d in deadlines):
        warnings.append("past_date")
    return warnings


def has_written_date(item: dict) -> bool:
    return any(d["date"] for d in item["deadlines"])


def owner_linked(owner: dict) -> bool:
    return owner.get("unit") is not None or owner.get("group") is not None


def _unknown_units(documents: list[dict], resolver: UnitResolver) -> list[dict]:
    """Each name linked to no unit or group, how often it is used, and its one suggestion."""
    unknown: dict[str, dict] = {}

    def count(owner):
        if owner_linked(owner):
            return
        key = fold_name(owner["name"])
        entry = unknown.setdefault(key, {"key": key, "name": owner["name"], "count": 0})
        entry["count"] += 1

    for doc in documents:
        ownerless = 0
        for item in doc["items"]:
            for owner in item["owners"]:
                count(owner)
            ownerless += not item["owners"]
        for owner in doc.get("default_owners", []) if ownerless else []:
            count(owner)
    for entry in unknown.values():
        entry["collective"] = is_collective(entry["name"])
        entry["suggestion"] = resolver.suggest(entry["name"])
    return sorted(unknown.values(), key=lambda e: (-e["count"], e["key"]))


def _counts(preview: dict) -> dict:
    items = [item for doc in preview["documents"] for item in doc["items"]]
    return {
        "documents": len(preview["documents"]),
        "documents_updated": sum(1 for doc in preview["documents"] if doc["existing"]),
        "items": len(items),
        "items_matched": sum(1 for item in items if item["match"]),
        "items_gone": sum(len(doc["gone"]) for doc in preview["documents"]),
        "warnings": sum(1 for item in items if item["warnings"]),
        # No written date at all (ongoing and recurring work included): the default applies.
        "items_without_date": sum(1 for item in items if not has_written_date(item)),
        "unknown_units": len(preview["unknown_units"]),
        "uncertain": sum(1 for item in items if item.get("uncertain")),
        "items_changed": sum(1 for item in items if item.get("differences")),
        "items_dropped_before": sum(1 for item in items if item.get("was_dropped")),
    }


# --- re-import: which old item is which new item -----------------------------------------


def _match_existing(entry: dict, existing: SourceDocument) -> None:
    """Pairs the new items with the items of the document this one updates or replaces."""
    old = list(
        existing.items.annotate(report_count=Count("reports")).values(
            "pk", "ref", "text", "status", "percent", "report_count"
        )
    )
    if entry.get("replaces"):
        entry["replaces"]["items"] = len(old)
    else:
        entry["existing"] = {
            "id": existing.pk,
            "title": existing.title,
            "doc_number": existing.doc_number,
            "items": len(old),
        }
    pairs = match_items(
        [item["text"] for item in entry["items"]],
        [item["ref"] for item in entry["items"]],
        [(o["text"], o["ref"]) for o in old],
    )
    for new_index, old_index in pairs.items():
        o = old[old_index]
        entry["items"][new_index]["match"] = {
            "id": o["pk"],
            "ref": o["ref"],
            "status": o["status"],
            "percent": o["percent"],
            "reports": o["report_count"],
            "same_text": o["text"] == entry["items"][new_index]["text"],
        }
    matched = set(pairs.values())
    _differences(entry, existing)
    _was_dropped(entry, existing)
    entry["gone"] = [
        {
            "id": o["pk"],
            "ref": o["ref"],
            "text": o["text"],
            "status": o["status"],
            "percent": o["percent"],
            "reports": o["report_count"],
        }
        for index, o in enumerate(old)
        if index not in matched
    ]


def _differences(entry: dict, existing: SourceDocument) -> None:
    """Each matched item's differences, old → new (tracker.imports.merge)."""
    by_item = {item["match"]["id"]: item for item in entry["items"] if item["match"]}
    items = list(
        Item.objects.filter(pk__in=list(by_item)).only(
            "pk", "text", "due_date", "due_is_default", "parsed", "withdrawn_at"
        )
    )
    for pk, found in merge.item_differences(items, by_item).items():
        by_item[pk]["differences"] = found


def _was_dropped(entry: dict, existing: SourceDocument) -> None:
    """New items the office left out when it last imported this document."""
    dropped = [d for d in existing.dropped or [] if isinstance(d, dict)]
    rest = [item for item in entry["items"] if not item["match"]]
    if not dropped or not rest:
        return
    pairs = match_items(
        [item["text"] for item in rest],
        [item["ref"] for item in rest],
        [(d.get("text", ""), d.get("ref", "")) for d in dropped],
    )
    for index in pairs:
        rest[index]["was_dropped"] = True


def match_items(
    new_texts: list[str], new_refs: list[str], old: list[tuple[str, str]]
) -> dict[int, int]:
    """new index → old index: identical text first, then the most similar pairs, one to one.

    A pair counts when the texts are at least SAME_REF_SIMILARITY alike under the same 编号,
    or OTHER_REF_SIMILARITY alike under another (a renumbered paragraph).
    """
    pairs: dict[int, int] = {}
    by_text: dict[str, list[int]] = {}
    for index, (text, _ref) in enumerate(old):
        by_text.setdefault(fold_name(text), []).append(index)
    for index, text in enumerate(new_texts):
        candidates = by_text.get(fold_name(text))
        if candidates:
            pairs[index] = candidates.pop(0)
    used = set(pairs.values())
    old_cores = [_core(text) for text, _ref in old]
    scored = []
    for index, text in enumerate(new_texts):
        if index in pairs:
            continue
        core = _core(text)
        for old_index, (_old_text, old_ref) in enumerate(old):
            if old_index in used:
                continue
            same_ref = bool(new_refs[index]) and new_refs[index] == old_ref
            floor = SAME_REF_SIMILARITY if same_ref else OTHER_REF_SIMILARITY
            matcher = difflib.SequenceMatcher(None, core, old_cores[old_index], autojunk=False)
            if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
                continue
            ratio = matcher.ratio()
            if ratio >= floor:
                scored.append((ratio + (0.25 if same_ref else 0), index, old_index))
    for _score, index, old_index in sorted(scored, reverse=True):
        if index not in pairs and old_index not in used:
            pairs[index] = old_index
            used.add(old_index)
    return pairs


_ANNOTATION = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def _core(text: str) -> str:
    """The task itself, without owner annotations that many items share: (责任单位：…)."""
    folded = fold_name(text)
    return _ANNOTATION.sub("", folded) or folded
