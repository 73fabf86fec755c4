"""Why an item changed, stored as a code with its data and told in the reader's language.

The audit trail (django-simple-history's ``history_change_reason``) keeps ``reason(code, …)``,
a short JSON object, never a translated sentence: an English-speaking office user's action
reads in Chinese to a Chinese reader and the other way round. ``told(stored)`` renders it;
text stored by older versions (a plain sentence) is shown as it is.
"""

import datetime
import json

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tracker.lib.dates import format_date
from tracker.models import Item

REASONS = {
    "sign": _("签收"),
    "report": _("报送进展 %(percent)s%%"),
    "report_pending": _("报送进展 %(percent)s%%（待部门负责人确认）"),
    "confirm_report": _("确认进展报告 %(percent)s%%（%(author)s）"),
    "request_extension": _("申请延期"),
    "request_completion": _("申请办结"),
    "extension_rejected": _("退回延期申请"),
    "extension_approved": _("同意延期至%(date)s"),
    "deadline_superseded": _("延期至%(date)s，原时限不再提醒"),
    "extension_approved_other": _("同意延期至%(date)s（申请延期至%(asked)s）"),
    "completion_returned": _("退回办结申请"),
    "report_returned": _("退回进展报告 %(percent)s%%（%(author)s）"),
    "completion_unit_confirmed": _("部门负责人确认办结申请，报督查室审核"),
    "completion_unit_returned": _("部门负责人退回办结申请"),
    "completed": _("办结销号"),
    "grade": _("评定为 %(grade)s"),
    "create_adhoc": _("创建交办事项"),
    "create_instruction": _("领导批示转为批示件"),
    "admin_edit": _("在管理后台修改"),
    "edit": _("督查室修改：%(fields)s"),
    "split": _("分解为 %(count)s 项子任务"),
    "split_from": _("由上级事项分解而来"),
    "withdraw": _("撤销：%(reason)s"),
    "restore": _("恢复已撤销的事项"),
    "rollup": _("按子任务汇总进度为 %(percent)s%%"),
    "children_completed": _("子任务全部办结，本事项随之办结"),
}
# The fields an "edit" names (stored as codes, shown in the reader's language).
EDITED_FIELDS = {
    "text": _("任务内容"),
    "owners": _("责任单位"),
    "people": _("责任领导和责任人"),
    "due_date": _("完成时限"),
    "deadlines": _("时限与节点"),
    "tags": _("标签"),
}
# history_change_reason is a CharField(max_length=100).
MAX_STORED = 100


def reason(code, **data):
    """The stored form of a change reason: {"code": …, data…} as compact JSON."""
    if code not in REASONS:
        raise ValueError(f"unknown audit reason {code!r}")
    data = {
        key: value.isoformat() if isinstance(value, datetime.date) else value
        for key, value in data.items()
    }
    stored = json.dumps({"code": code, **data}, ensure_ascii=False, separators=(",", ":"))
    while len(stored) > MAX_STORED and any(isinstance(v, str) and v for v in data.values()):
        longest = max(
            (k for k, v in data.items() if isinstance(v, str)), key=lambda k: len(data[k])
        )
        data[longest] = data[longest][: max(len(data[longest]) - 8, 0)]
        stored = json.dumps({"code": code, **data}, ensure_ascii=False, separators=(",", ":"))
    return stored


def _shown(key, value):
    if key == "fields" and isinstance(value, str):
        return gettext("、").join(
            str(EDITED_FIELDS.get(code, code)) for code in value.split(",") if code
        )
    if key in ("date", "asked") and isinstance(value, str):
        try:
            return format_date(datetime.date.fromisoformat(value))
        except ValueError:
            return value
    return value


def told(stored):
    """A stored reason in the active language ("" for none; older plain text as it is)."""
    if not stored:
        return ""
    try:
        data = json.loads(stored)
    except ValueError:
        return stored
    if not isinstance(data, dict) or data.get("code") not in REASONS:
        return stored
    code = data.pop("code")
    try:
        return str(REASONS[code]) % {key: _shown(key, value) for key, value in data.items()}
    except (KeyError, TypeError, ValueError):
        return str(REASONS[code]).split("%")[0].strip()


# ---- the item's audit trail, as the item page shows it -----------------------------------


def trail(item):
    """The item's history, newest first: who, when, why, and which fields changed."""
    records = list(item.history.select_related("history_user").order_by("-history_id")[:50])
    trail = []
    # Items written in bulk (imports, demo data) may have no history row at all.
    olders = [*records[1:], None] if records else []
    for newer, older in zip(records, olders, strict=True):
        changes = []
        if older is not None:
            delta = newer.diff_against(older, excluded_fields=["updated_at", "version"])
            changes = [_change(c.field, c.old, c.new) for c in delta.changes]
        trail.append(
            {"record": newer, "changes": changes, "reason": told(newer.history_change_reason)}
        )
    return trail


def _change(name, old, new):
    """(label, old, new) of a changed field, values as a reader knows them."""
    field = Item._meta.get_field(name)

    def show(value):
        if value in (None, ""):
            return "—"
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, datetime.datetime):
            return f"{format_date(timezone.localtime(value))} {timezone.localtime(value):%H:%M}"
        if isinstance(value, datetime.date):
            return format_date(value)
        return value

    return field.verbose_name, show(old), show(new)
