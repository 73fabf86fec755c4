"""Import: an uploaded file becomes tracked items in four plain steps.

1. ``check_upload(name, data)`` — the cheap checks made while the user waits (type, size,
   empty, binary, encoding of a .txt). Bad input raises :class:`ImportRejected`, whose
   message is shown to the user as is; nothing is stored.
2. ``start_import(user, name, data)`` — stores an :class:`~tracker.models.ImportJob` and,
   after the transaction commits, enqueues ``tracker.tasks.parse_import``.
3. ``run_import_job(job_id)`` — the task's body: extract the text (.txt through the parser's
   decode stage, .docx paragraphs and tables, .pdf text layer), parse it, and store a preview
   (documents, items, owners resolved to Units where possible, warnings, and for a file or
   a 文号 seen before, which items are updates and which old items are gone).
4. ``confirm_import(job, user, decisions)`` — in ONE transaction creates or updates the
   SourceFile, SourceDocuments, Items, owners, people, deadlines and tags, and remembers each
   unit name the user mapped as a UnitAlias (or creates the Unit).

Re-import never deletes: matched items keep their status, percent and progress reports; old
items missing from the new version are listed in the preview and get a note on confirm.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from tracker import clock
from tracker.models import (
    Comment,
    Deadline,
    ImportJob,
    Item,
    ItemOwner,
    ItemPerson,
    SourceDocument,
    SourceFile,
    Tag,
    Unit,
    UnitAlias,
    User,
)
from gazette.decode import GazetteDecodeError, decode_bytes, looks_binary
from gazette.owners import split_names
from gazette.pipeline import Gazette, parse_text
from gazette.text import fold_name

logger = logging.getLogger(__name__)

FILE_KINDS = {".txt": "text", ".docx": "docx", ".pdf": "pdf"}

OWNER_ROLES = (  # (ItemOwner role, parser field)
    (ItemOwner.Role.LEAD, "lead_units"),
    (ItemOwner.Role.CO, "co_units"),
    (ItemOwner.Role.RESPONSIBLE, "responsible_units"),
)
PERSON_ROLES = (
    (ItemPerson.Role.LEADER, "responsible_leaders"),
    (ItemPerson.Role.OFFICE, "responsible_offices"),
    (ItemPerson.Role.PERSON, "responsible_persons"),
)
ITEM_KINDS = {"task": Item.Kind.TASK, "project": Item.Kind.PROJECT, "report": Item.Kind.REPORT}

WARNINGS = {
    "unknown_unit": gettext_lazy("责任单位未匹配到系统中的单位"),
    "no_owner": gettext_lazy("没有责任单位"),
    "no_date": gettext_lazy("没有完成时限"),
    "past_date": gettext_lazy("时限早于今天"),
}

# Item matching on re-import: the same 编号 with similar text, or very similar text.
SAME_REF_SIMILARITY = 0.5
OTHER_REF_SIMILARITY = 0.75


class ImportRejected(Exception):
    """Bad input or a stale preview; the message is shown to the user as is."""


# --- 1. checks made while the user waits --------------------------------------------------


def file_kind(name: str) -> str | None:
    return FILE_KINDS.get(Path(name).suffix.lower())


def check_upload(name: str, data: bytes) -> None:
    """Reject what can be rejected at once; the rest (docx, pdf contents) fails in the task."""
    kind = file_kind(name)
    if kind is None:
        raise ImportRejected(
            _("不支持的文件类型“%(name)s”：请上传 .txt（UTF-8 或 GB18030）、.docx 或带文字层的 .pdf 文件。")
            % {"name": name}
        )
    if not data:
        raise ImportRejected(_("文件“%(name)s”是空的。") % {"name": name})
    if len(data) > settings.DUBAN_MAX_UPLOAD_BYTES:
        raise ImportRejected(too_big_message(name, len(data)))
    if kind == "docx" and not data.startswith(b"PK\x03\x04"):
        raise ImportRejected(_("文件“%(name)s”不是有效的 Word（.docx）文档。") % {"name": name})
    if kind == "pdf" and b"%PDF-" not in data[:1024]:
        raise ImportRejected(_("文件“%(name)s”不是有效的 PDF 文档。") % {"name": name})
    if kind == "text" and not decode_text(name, data).strip():
        raise ImportRejected(_("文件“%(name)s”是空的。") % {"name": name})


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def too_big_message(name: str, size: int) -> str:
    return _("文件“%(name)s”过大（%(size)s），上限为 %(limit)s。") % {
        "name": name, "size": megabytes(size),
        "limit": megabytes(settings.DUBAN_MAX_UPLOAD_BYTES)}


def decode_text(name: str, data: bytes) -> str:
    try:
        return decode_bytes(data, name)
    except GazetteDecodeError:
        if looks_binary(data):
            raise ImportRejected(
                _("文件“%(name)s”是二进制文件，不是文本：请上传文本、Word 或 PDF 文件。") % {"name": name}
            ) from None
        raise ImportRejected(
            _("无法识别文件“%(name)s”的编码：文本文件须为 UTF-8 或 GB18030 编码。") % {"name": name}
        ) from None


# --- 2. text extraction ---------------------------------------------------------------


def extract_text(name: str, data: bytes, progress=None) -> str:
    """The text of an upload, lines separated by \\n; tables become tab-separated rows."""
    check_upload(name, data)
    kind = file_kind(name)
    if kind == "docx":
        text = docx_text(name, data)
    elif kind == "pdf":
        text = pdf_text(name, data, progress)
    else:
        text = decode_text(name, data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ImportRejected(_("文件“%(name)s”中没有文字。") % {"name": name})
    return text


def docx_text(name: str, data: bytes) -> str:
    from docx import Document as open_docx
    from docx.table import Table

    try:
        document = open_docx(io.BytesIO(data))
        lines = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_rows(block))
            else:
                lines.append(block.text)
    except Exception as exc:  # a damaged upload can break python-docx in many ways
        logger.info("docx %s unreadable: %r", name, exc)
        raise ImportRejected(
            _("无法读取 Word 文档“%(name)s”：文件已损坏或不是 .docx 格式。") % {"name": name}
        ) from None
    return "\n".join(lines)


def _table_rows(table) -> list[str]:
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


def pdf_text(name: str, data: bytes, progress=None) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ImportRejected(_("PDF 文档“%(name)s”已加密，无法读取。") % {"name": name})
        pages = []
        total = len(reader.pages)
        for number, page in enumerate(reader.pages, 1):
            pages.append(page.extract_text() or "")
            if progress and (number % 10 == 0 or number == total):
                progress(5 + 30 * number // total, _("正在读取 PDF 第 %(n)s/%(total)s 页")
                         % {"n": number, "total": total})
    except ImportRejected:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        logger.info("pdf %s unreadable: %r", name, exc)
        raise ImportRejected(
            _("无法读取 PDF 文档“%(name)s”：文件已损坏。") % {"name": name}
        ) from None
    # Some CID fonts come out of pypdf with a NUL before every character; NUL is never text.
    text = "\n".join(pages).replace("\x00", "")
    if not text.strip():
        raise ImportRejected(
            _("PDF 文档“%(name)s”没有文字层（可能是扫描件）：请上传文字版 PDF、Word 或文本文件。")
            % {"name": name}
        )
    return text


# --- 3. starting and running a job -----------------------------------------------------


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def create_job(user, name: str, data: bytes) -> ImportJob:
    check_upload(name, data)
    return ImportJob.objects.create(
        uploaded_by=user if user and user.is_authenticated else None,
        file_name=Path(name).name[:255], sha256=sha256_of(data), size=len(data), data=data,
        stage=_("等待解析"),
    )


def start_import(user, name: str, data: bytes, queue: str | None = None) -> ImportJob:
    """Store the upload and parse it in a worker once the upload is committed."""
    from tracker.tasks import parse_import

    job = create_job(user, name, data)
    options = {"queue": queue} if queue else {}
    transaction.on_commit(lambda: parse_import.apply_async(args=[job.pk], **options))
    return job


def run_import_job(job_id: int) -> ImportJob | None:
    """Parse a pending job into its preview; a second delivery of the same job does nothing.

    A job left "parsing" by a worker that died (the task is acks_late, so the broker delivers
    it again) may be claimed anew once it has been silent longer than the task time limit.
    """
    now = timezone.now()
    abandoned = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    claimed = ImportJob.objects.filter(
        Q(status=ImportJob.Status.PENDING)
        | Q(status=ImportJob.Status.PARSING, updated_at__lt=abandoned), pk=job_id,
    ).update(status=ImportJob.Status.PARSING, progress=5, stage=_("正在读取文件"), updated_at=now)
    if not claimed:
        return None
    job = ImportJob.objects.get(pk=job_id)

    def progress(percent, stage):
        ImportJob.objects.filter(pk=job_id).update(progress=percent, stage=stage,
                                                   updated_at=timezone.now())

    try:
        text = extract_text(job.file_name, bytes(job.data), progress)
        progress(40, _("正在解析文档和事项"))
        gazette = parse_text(text, job.file_name)
        progress(75, _("正在匹配责任单位和已导入的文档"))
        preview = build_preview(gazette, text=text, sha256=job.sha256)
        if not preview["counts"]["items"]:
            raise ImportRejected(
                _("文件“%(name)s”中没有找到督办事项：请确认文件包含带文号的文件正文和任务条目。")
                % {"name": job.file_name}
            )
    except ImportRejected as exc:
        _fail(job_id, str(exc))
    except Exception:
        logger.exception("import job %s failed", job_id)
        _fail(job_id, _("解析时发生内部错误，请联系管理员。"))
    else:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.READY, progress=100, stage=_("解析完成"), text=text,
            preview=preview,
        )
    return ImportJob.objects.get(pk=job_id)


def _fail(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.FAILED, progress=100, stage=_("解析失败"), error=message,
        data=b"",
    )


def import_now(user, name: str, data: bytes, decisions: Decisions | None = None) -> ImportJob:
    """Upload, parse and confirm in this process (demo data, benchmarks, scripts)."""
    job = run_import_job(create_job(user, name, data).pk)
    if job.status != ImportJob.Status.READY:
        raise ImportRejected(job.error)
    confirm_import(job, user, decisions)
    job.refresh_from_db()
    return job


def already_imported(data: bytes) -> SourceFile | None:
    return SourceFile.objects.filter(sha256=sha256_of(data)).first()


# --- units -------------------------------------------------------------------------------


class UnitResolver:
    """Unit names as documents write them → Unit ids, by Unit.name, short_name or UnitAlias."""

    def __init__(self):
        self.by_key: dict[str, int] = {}
        self.labels: dict[int, str] = {}

    @classmethod
    def load(cls) -> UnitResolver:
        resolver = cls()
        units = list(Unit.objects.values_list("pk", "name", "short_name"))
        for pk, _name, short in units:
            if short:
                resolver.by_key[fold_name(short)] = pk
        for key, pk in UnitAlias.objects.values_list("key", "unit_id"):
            resolver.by_key[key] = pk
        for pk, name, _short in units:  # a full name wins over anyone's short name or alias
            resolver.by_key[fold_name(name)] = pk
            resolver.labels[pk] = name
        return resolver

    def resolve(self, name: str) -> int | None:
        return self.by_key.get(fold_name(name))

    def suggest(self, name: str) -> int | None:
        """The unit whose name looks most like an unknown name (a hint, never applied)."""
        close = difflib.get_close_matches(fold_name(name), list(self.by_key), n=1, cutoff=0.7)
        return self.by_key[close[0]] if close else None


def guess_unit_kind(name: str) -> str:
    key = fold_name(name)
    if re.search(r"(?:街道|街道办事处|镇|乡|镇人民政府|乡人民政府)$", key):
        return Unit.Kind.TOWN
    if re.search(r"(?:县|区|市)(?:人民政府)?$", key) and not key.startswith(("市", "区", "县")):
        return Unit.Kind.COUNTY
    if re.search(r"(?:公司|集团|有限公司)$", key):
        return Unit.Kind.ENTERPRISE
    if re.search(r"(?:局|委|办|委员会|办公室|中心|院|站|队|支队|所)$", key):
        return Unit.Kind.CITY_DEPARTMENT
    return Unit.Kind.OTHER


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
            {"id": same_file.pk, "name": same_file.name,
             "uploaded_at": same_file.uploaded_at.isoformat()} if same_file else None
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
            preview["skipped_documents"].append({
                "title": doc.title, "doc_number": doc.doc_number,
                "reason": "duplicate" if parsed.items else "no_items",
            })
            continue
        seen_keys.add(key)
        entry = _document_entry(parsed, doc_text, resolver, today)
        existing = existing_document(entry["doc_number"], entry["sha256"])
        if existing:
            _match_existing(entry, existing)
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
    match = re.search(r"\d{4}\s*年\s*第\s*\d+\s*期(?:\s*[（(]总第\s*\d+\s*期[)）])?",
                      "\n".join(text.split("\n")[:20]))
    return re.sub(r"\s+", "", match.group(0))[:100] if match else ""


def existing_document(doc_number: str, sha256: str) -> SourceDocument | None:
    """The document a new version replaces: same 文号 (folded), else the very same text."""
    key = fold_name(doc_number)
    if key:
        found = SourceDocument.objects.filter(doc_number_key=key).first()
        if found:
            return found
    return SourceDocument.objects.filter(sha256=sha256).first()


def _document_entry(parsed, doc_text: str, resolver: UnitResolver, today: date) -> dict:
    doc = parsed.document
    return {
        "title": doc.title[:500] or _("（无标题文档）"),
        "doc_number": doc.doc_number[:100],
        "issuer": doc.issuer[:200],
        "signed": doc.signed.isoformat() if doc.signed else None,
        "addressees": doc.addressees,
        "line_start": doc.line_start,
        "line_end": max(doc.line_end, doc.line_start),
        "sha256": document_sha256(doc_text),
        "existing": None,
        "gone": [],
        "items": [_item_entry(item, resolver, today) for item in parsed.items],
    }


def _item_entry(item, resolver: UnitResolver, today: date) -> dict:
    owners = []
    for role, attr in OWNER_ROLES:
        for name in _unique(getattr(item.owners, attr)):
            owners.append({"role": role, "name": name, "unit": resolver.resolve(name)})
    people = [
        {"role": role, "name": name}
        for role, attr in PERSON_ROLES
        for name in _unique(getattr(item.owners, attr))
    ]
    deadlines = [
        {"expr": d.expr, "date": d.date.isoformat() if d.date else None,
         "recurrence": d.recurrence, "what": d.what, "ongoing": bool(d.ongoing and not d.date)}
        for d in item.deadlines
    ]
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
        "due": item.due.isoformat() if item.due else None,
        "fields": dict(item.fields),
        "match": None,
    }
    entry["warnings"] = item_warnings(entry, today)
    return entry


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
    elif any(owner["unit"] is None for owner in entry["owners"]):
        warnings.append("unknown_unit")
    deadlines = entry["deadlines"]
    if not any(d["date"] or d["recurrence"] or d["ongoing"] for d in deadlines):
        warnings.append("no_date")
    if any(d["date"] and d["date"] < today.isoformat() for d in deadlines):
        warnings.append("past_date")
    return warnings


def _unknown_units(documents: list[dict], resolver: UnitResolver) -> list[dict]:
    unknown: dict[str, dict] = {}
    for doc in documents:
        for item in doc["items"]:
            for owner in item["owners"]:
                if owner["unit"] is None:
                    key = fold_name(owner["name"])
                    entry = unknown.setdefault(key, {"key": key, "name": owner["name"], "count": 0})
                    entry["count"] += 1
    for entry in unknown.values():
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
        "unknown_units": len(preview["unknown_units"]),
    }


# --- re-import: which old item is which new item -----------------------------------------


def _match_existing(entry: dict, existing: SourceDocument) -> None:
    old = list(
        existing.items.annotate(report_count=Count("reports")).values(
            "pk", "ref", "text", "status", "percent", "report_count"
        )
    )
    entry["existing"] = {"id": existing.pk, "title": existing.title,
                         "doc_number": existing.doc_number, "items": len(old)}
    pairs = match_items([item["text"] for item in entry["items"]],
                        [item["ref"] for item in entry["items"]],
                        [(o["text"], o["ref"]) for o in old])
    for new_index, old_index in pairs.items():
        o = old[old_index]
        entry["items"][new_index]["match"] = {
            "id": o["pk"], "ref": o["ref"], "status": o["status"], "percent": o["percent"],
            "reports": o["report_count"], "same_text": o["text"] == entry["items"][new_index]["text"],
        }
    matched = set(pairs.values())
    entry["gone"] = [
        {"id": o["pk"], "ref": o["ref"], "text": o["text"], "status": o["status"],
         "percent": o["percent"], "reports": o["report_count"]}
        for index, o in enumerate(old) if index not in matched
    ]


def match_items(new_texts: list[str], new_refs: list[str],
                old: list[tuple[str, str]]) -> dict[int, int]:
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


# --- 5. confirming ------------------------------------------------------------------------


@dataclass
class Decisions:
    """What the user changed on the preview; anything missing means "as parsed".

    items: "<document index>-<item index>" → {"include": bool, "text": str,
           "lead": [names], "co": [names], "responsible": [names], "due": date | None}
    units: folded unit name → "" (keep the name as written), "new" (create a Unit) or a Unit id.
    """

    items: dict[str, dict] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)


def item_key(doc_index: int, item_index: int) -> str:
    return f"{doc_index}-{item_index}"


def parse_names(text: str) -> list[str]:
    """A list of unit names as typed into the preview (、，; separated, parentheses kept)."""
    return _unique(split_names(text.replace("\n", "、"))) if text else []


def validate_decisions(preview: dict, decisions: Decisions) -> dict[str, str]:
    """Problems keyed by item key (or "units" / "" for the whole import)."""
    errors: dict[str, str] = {}
    included = 0
    for d, doc in enumerate(preview["documents"]):
        for i, _item in enumerate(doc["items"]):
            choice = decisions.items.get(item_key(d, i), {})
            if not choice.get("include", True):
                continue
            included += 1
            if "text" in choice and not choice["text"].strip():
                errors[item_key(d, i)] = _("任务内容不能为空。")
    if not included:
        errors[""] = _("没有勾选任何事项。")
    unit_ids = {value for value in decisions.units.values() if value not in ("", "new")}
    known = {str(pk) for pk in Unit.objects.filter(
        pk__in=[v for v in unit_ids if v.isdigit()]).values_list("pk", flat=True)}
    if unit_ids - known:
        errors["units"] = _("所选单位不存在，请重新选择。")
    return errors


def confirm_import(job: ImportJob, user, decisions: Decisions | None = None) -> dict:
    """Create or update everything the preview shows, in one transaction; returns counts."""
    decisions = decisions or Decisions()
    if job.status != ImportJob.Status.READY:
        raise ImportRejected(_("这次导入已经确认过或尚未解析完成。"))
    errors = validate_decisions(job.preview, decisions)
    if errors:
        raise ImportRejected(" ".join(errors.values()))
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(
            status=ImportJob.Status.CONFIRMED, progress=100
        )
        if not claimed:
            raise ImportRejected(_("这次导入已经确认过或尚未解析完成。"))
        importer = _Importer(job, user, decisions)
        result = importer.run()
        ImportJob.objects.filter(pk=job.pk).update(
            source_file=importer.source_file, result=result, data=b"", stage=_("已导入"),
        )
    job.refresh_from_db()
    return result


class _Importer:
    """One confirm: holds the caches (units, tags, users) the rows share."""

    def __init__(self, job: ImportJob, user, decisions: Decisions):
        self.job, self.user, self.decisions = job, user, decisions
        self.resolver = UnitResolver.load()
        self.tags: dict[str, Tag] = {}
        self.users_by_name = _users_by_display_name()
        self.result = {"documents_created": 0, "documents_updated": 0, "items_created": 0,
                       "items_updated": 0, "items_gone": 0, "units_created": 0,
                       "aliases_created": 0, "items": [], "documents": []}
        self.source_file = None

    def run(self) -> dict:
        self.map_units()
        self.source_file = self.get_source_file()
        for d, entry in enumerate(self.job.preview["documents"]):
            included = [
                (i, item) for i, item in enumerate(entry["items"])
                if self.decisions.items.get(item_key(d, i), {}).get("include", True)
            ]
            if included:
                self.import_document(d, entry, included)
        return self.result

    # units the user mapped --------------------------------------------------------------
    def map_units(self) -> None:
        names = {u["key"]: u["name"] for u in self.job.preview.get("unknown_units", [])}
        for key, choice in sorted(self.decisions.units.items()):
            name = names.get(key)
            if not choice or not name or self.resolver.by_key.get(key):
                continue
            if choice == "new":
                unit, created = Unit.objects.get_or_create(
                    name=name.strip()[:200], defaults={"kind": guess_unit_kind(name)}
                )
                self.result["units_created"] += int(created)
            else:
                unit = Unit.objects.get(pk=int(choice))
                UnitAlias.objects.update_or_create(key=key, defaults={"unit": unit, "name": name})
                self.result["aliases_created"] += 1
            self.resolver.by_key[key] = unit.pk

    def get_source_file(self) -> SourceFile:
        job = self.job
        existing = SourceFile.objects.filter(sha256=job.sha256).first()
        if existing:
            return existing
        return SourceFile.objects.create(
            name=job.file_name, sha256=job.sha256, size=job.size, text=job.text,
            gazette_title=job.preview.get("gazette_title", ""),
            gazette_issue=job.preview.get("gazette_issue", ""), uploaded_by=self.user,
        )

    # documents ----------------------------------------------------------------------------
    def import_document(self, d: int, entry: dict, included: list[tuple[int, dict]]) -> None:
        existing = existing_document(entry["doc_number"], entry["sha256"])
        planned = (entry["existing"] or {}).get("id")
        if (existing.pk if existing else None) != planned:
            raise ImportRejected(
                _("文档“%(title)s”在预览之后已被他人导入或修改，请重新上传解析。")
                % {"title": entry["title"]}
            )
        values = {
            "source_file": self.source_file, "doc_number": entry["doc_number"],
            "title": entry["title"], "issuer": entry["issuer"],
            "signed_on": date.fromisoformat(entry["signed"]) if entry["signed"] else None,
            "line_start": entry["line_start"], "line_end": entry["line_end"],
            "text": _lines(self.job.text, entry["line_start"], entry["line_end"]),
            "sha256": entry["sha256"], "imported_at": timezone.now(),
        }
        if existing:
            for name, value in values.items():
                setattr(existing, name, value)
            existing.save()
            document = existing
            self.result["documents_updated"] += 1
        else:
            document = SourceDocument.objects.create(**values)
            self.result["documents_created"] += 1
        self.result["documents"].append({"id": document.pk, "title": document.title,
                                         "updated": bool(existing)})
        for i, item in included:
            self.import_item(document, item, self.decisions.items.get(item_key(d, i), {}))
        if existing:
            self.note_gone(document, entry["gone"])

    def note_gone(self, document: SourceDocument, gone: list[dict]) -> None:
        still_there = Item.objects.filter(pk__in=[g["id"] for g in gone], document=document)
        for item in still_there:
            Comment.objects.create(
                item=item, author=self.user, kind=Comment.Kind.NOTE,
                text=_("重新导入《%(title)s》时，新版本中没有找到这一事项；事项保留未删除，请核实。")
                % {"title": document.title},
            )
            self.result["items_gone"] += 1

    # items --------------------------------------------------------------------------------
    def import_item(self, document: SourceDocument, entry: dict, choice: dict) -> Item:
        match = entry.get("match")
        item = None
        if match:
            item = Item.objects.filter(pk=match["id"], document=document).first()
        fields = {
            "document": document, "ref": entry["ref"], "section": entry["section"],
            "text": (choice.get("text") or entry["text"]).strip(), "kind": entry["kind"],
            "line_start": entry["line"], "line_end": entry["end_line"], "fields": entry["fields"],
        }
        new = item is None
        if new:
            item = Item.objects.create(**fields)
            self.result["items_created"] += 1
        else:
            for name, value in fields.items():
                setattr(item, name, value)
            item.version += 1  # a form opened before the re-import must notice the change
            self.result["items_updated"] += 1
        self.set_owners(item, entry, choice, new)
        self.set_people(item, entry, new)
        self.set_deadlines(item, entry, choice, new)
        if entry["tags"]:
            item.tags.add(*[self.tag(name) for name in entry["tags"]])
        due = item.due_date
        item.refresh_due_date()
        if not new or item.due_date != due:
            item.save()
        self.result["items"].append(item.pk)
        return item

    def set_owners(self, item: Item, entry: dict, choice: dict, new: bool) -> None:
        previous = {}
        if not new:
            previous = {(o.role, o.name): o.unit_id for o in item.owners.all()}
            item.owners.all().delete()
        rows = []
        for role, key in ((ItemOwner.Role.LEAD, "lead"), (ItemOwner.Role.CO, "co"),
                          (ItemOwner.Role.RESPONSIBLE, "responsible")):
            if key in choice:
                names = _unique(choice[key])
            else:
                names = [o["name"] for o in entry["owners"] if o["role"] == role]
            for position, name in enumerate(names):
                unit = self.resolver.resolve(name) or previous.get((role, name))
                rows.append(ItemOwner(item=item, role=role, name=name, unit_id=unit,
                                      position=position))
        ItemOwner.objects.bulk_create(rows)

    def set_people(self, item: Item, entry: dict, new: bool) -> None:
        if not new:
            item.people.all().delete()
        positions: dict[str, int] = {}
        rows = []
        for person in entry["people"]:
            position = positions.get(person["role"], 0)
            positions[person["role"]] = position + 1
            rows.append(ItemPerson(item=item, role=person["role"], name=person["name"],
                                   user_id=self.users_by_name.get(person["name"]),
                                   position=position))
        ItemPerson.objects.bulk_create(rows)

    def set_deadlines(self, item: Item, entry: dict, choice: dict, new: bool) -> None:
        kept_keys = set()
        if not new:
            # Deadlines already met, and milestones added by hand, survive a re-import.
            kept = list(item.deadlines.filter(
                Q(done_at__isnull=False) | Q(kind=Deadline.Kind.MILESTONE)))
            kept_keys = {(d.expr, d.date, d.recurrence) for d in kept}
            item.deadlines.exclude(pk__in=[d.pk for d in kept]).delete()
        rows = []
        for values in planned_deadlines(entry, choice):
            if (values["expr"], values["date"], values["recurrence"]) in kept_keys:
                continue
            if values["recurrence"] or entry["kind"] == Item.Kind.REPORT:
                values["kind"] = Deadline.Kind.REPORT
            rows.append(Deadline(item=item, **values))
        if rows:  # with their audit-trail rows, as a save() would write
            bulk_create_with_history(rows, Deadline, default_user=self.user)

    def tag(self, name: str) -> Tag:
        if name not in self.tags:
            self.tags[name], _created = Tag.objects.get_or_create(name=name[:50])
        return self.tags[name]


def planned_deadlines(entry: dict, choice: dict) -> list[dict]:
    """The deadlines of an item, with the user's due date applied.

    A due date typed on the preview is the item's final date: parsed dates later than it
    become it (their wording is kept, so the source stays visible); if no parsed date reaches
    it, a deadline of that date is added. An emptied due date drops the parsed dates;
    recurrences (每月25日前) and ongoing work stay.
    """
    rows = [
        {"expr": d["expr"][:100], "date": date.fromisoformat(d["date"]) if d["date"] else None,
         "recurrence": d["recurrence"][:50], "what": d["what"][:200], "ongoing": d["ongoing"]}
        for d in entry["deadlines"]
    ]
    if "due" not in choice:
        return rows
    due = choice["due"]
    parsed_due = date.fromisoformat(entry["due"]) if entry["due"] else None
    if due == parsed_due:
        return rows
    if due is None:
        return [row for row in rows if row["date"] is None]
    for row in rows:
        if row["date"] and row["date"] > due:
            row["date"] = due
    if not any(row["date"] == due for row in rows):
        rows.append({"expr": "", "date": due, "recurrence": "", "what": _("导入时确定的完成时限"),
                     "ongoing": False})
    return rows


def _lines(text: str, start: int, end: int) -> str:
    return "\n".join(text.split("\n")[max(start, 1) - 1:end])


def _users_by_display_name() -> dict[str, int]:
    """Leaders and people named on items, linked to a user when exactly one has that name."""
    names: dict[str, list[int]] = {}
    for pk, name in User.objects.exclude(display_name="").values_list("pk", "display_name"):
        names.setdefault(name.strip(), []).append(pk)
    return {name: pks[0] for name, pks in names.items() if len(pks) == 1}
