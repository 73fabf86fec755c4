"""The preview page's data: one compact row per parsed item, rendered and filtered in the
browser (static/duban/import_review.js) so that 1,000 items stay quick to review.

The rows carry what the parser said; the office's choices travel apart, as the saved
decisions (tracker.imports.decisions), and the page shows each row with them applied.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from tracker.imports import checks, confirm, planning
from tracker.imports.decisions import OWNER_KEYS
from tracker.lib.dates import format_date
from tracker.models import ImportJob, ItemOwner, User

ROLE_LABELS = {
    "lead": ItemOwner.Role.LEAD.label,
    "co": ItemOwner.Role.CO.label,
    "responsible": ItemOwner.Role.RESPONSIBLE.label,
}


def _date(value: str | None) -> str:
    return format_date(date.fromisoformat(value)) if value else ""


def deadline_label(deadline: dict) -> str:
    when = _date(deadline["date"])
    if deadline["recurrence"]:
        when = _("周期报送")
    elif deadline["ongoing"]:
        when = _("长期推进")
    return f"{deadline['expr']} → {when}" if when else deadline["expr"]


def value_label(field: str, value) -> str:
    """A value of the merge (tracker.imports.merge) as the office reads it."""
    if field == "due":
        return _date(value) or _("无时限")
    if field == "withdrawn":
        return _("已撤销") if value else _("恢复（新版本仍有此事项）")
    if field == "owners":
        parts = [
            f"{ROLE_LABELS[role]}{_('：')}{'、'.join(names)}"
            for role, names in (value or {}).items()
            if names
        ]
        return "；".join(parts) or _("未写明")
    return value or ""


def owner_text(item: dict, role: str) -> str:
    return "、".join(o["name"] for o in item["owners"] if o["role"] == role)


def current_inputs(differences: list[dict]) -> dict:
    """The office's values of the fields that differ, as the row's inputs hold them: the page
    shows them while the office keeps them (tracker.imports.merge)."""
    current: dict = {}
    for x in differences:
        if x["field"] == "withdrawn":
            continue
        if x["field"] == "owners":
            for role in OWNER_KEYS:
                current[role] = "、".join(x["current"].get(role, []))
        else:
            current[x["field"]] = x["current"] or ""
    return current


def rows(job: ImportJob) -> list[dict]:
    users = planning._users_by_display_name()
    accounts = {
        u.pk: f"{u.username}（{u.unit or '—'}）"
        for u in User.objects.filter(
            pk__in=[v[0] for v in users.values() if not v[2]]
        ).select_related("unit")
    }
    out: list[dict] = []
    for d, doc in enumerate(job.preview["documents"]):
        for i, item in enumerate(doc["items"]):
            names = [p["name"] for p in item["people"]]
            row = {
                "key": confirm.item_key(d, i),
                "doc": d,
                "n": len(out),
                "ref": item["ref"],
                "section": item["section"],
                "text": item["text"],
                "due": item["due"] or "",
                "deadlines": [deadline_label(x) for x in item["deadlines"]],
                "people": "、".join(names),
                "tags": item["tags"],
                "warnings": item["warnings"],
                "unknown": [
                    o["name"]
                    for o in item["owners"]
                    if o.get("unit") is None and o.get("group") is None
                ],
                "uncertain": bool(item.get("uncertain")),
                "confidence": item.get("confidence", 1.0),
                "rule": item.get("rule", ""),
                "fields": item.get("fields") or {},
                "ocr": bool(item.get("ocr")),
                "match": item.get("match"),
                "was_dropped": bool(item.get("was_dropped")),
                "differences": [
                    {
                        "field": x["field"],
                        "edited": x["edited"],
                        "current": value_label(x["field"], x["current"]),
                        "new": value_label(x["field"], x["new"]),
                    }
                    for x in item.get("differences", [])
                ],
                "namesakes": [
                    {"name": found["name"], "account": accounts.get(found["user"], "")}
                    for found in planning.namesakes(item, users=users)
                    if found["name"] in names
                ],
            }
            for role in OWNER_KEYS:
                row[role] = owner_text(item, role)
            row["current"] = current_inputs(item.get("differences", []))
            out.append(row)
    return out


def labels() -> dict:
    """Every word the page's script shows, in the reader's language."""
    return {
        "warnings": {code: str(text) for code, text in checks.WARNINGS.items()},
        "roles": {role: str(label) for role, label in ROLE_LABELS.items()},
        "fields": {
            "text": _("任务内容"),
            "owners": _("责任单位"),
            "due": _("完成时限"),
            "withdrawn": _("撤销"),
        },
        "uncertain": _("待确认"),
        "confidence": _("把握"),
        "include": _("导入此事项"),
        "text": _("任务内容"),
        "due": _("完成时限"),
        "ref": _("编号"),
        "hints": _("提示"),
        "update": _("更新原事项（进度 {p}%，{r} 条进展保留）"),
        "new_item": _("新增事项"),
        "dropped_before": _("上次导入时未导入，本次默认不导入"),
        "keep": _("保留现值"),
        "take_new": _("采用新值"),
        "edited": _("已手工修改"),
        "ocr": _("OCR 识别"),
        "page": _("第 {page} / {pages} 页，共 {n} 项"),
        "none": _("没有符合条件的事项。"),
        "saved": _("已保存"),
        "saving": _("正在保存…"),
        "stale": _("其他人刚修改了这次导入的选择，页面已更新为最新内容，请核对。"),
        "failed": _("保存失败，请检查网络后重试。"),
        "selected": _("已选 {n} 项"),
        "people": _("责任人"),
        "link": _(
            "“{name}”关联到同名账号 {account}（该账号不属于本事项的责任单位，确认是同一人才勾选）"
        ),
        "unknown": _("未对应单位"),
        "merge": _("与已导入事项的差异"),
    }
