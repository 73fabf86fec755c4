"""A message in the reader's language: its stored code and data, rendered when shown."""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.lib.dates import format_date
from tracker.models import Message, SupervisionNotice

C = Message.Code
TEXTS = {
    C.EXTENSION_APPROVED: gettext_lazy("延期申请已同意：“%(title)s”的完成时限延至%(date)s。"),
    C.EXTENSION_CHANGED: gettext_lazy(
        "延期申请已同意，时限调整：“%(title)s”的完成时限延至%(date)s（申请延至%(asked)s）。"
    ),
    C.EXTENSION_REJECTED: gettext_lazy("延期申请被退回：“%(title)s”。"),
    C.COMPLETION_APPROVED: gettext_lazy("已办结销号：“%(title)s”。"),
    C.COMPLETION_RETURNED: gettext_lazy("办结申请被退回，请继续办理：“%(title)s”。"),
    C.REPORT_RETURNED: gettext_lazy("您报送的进展（%(percent)s%%）被退回：“%(title)s”。"),
    C.URGE: gettext_lazy("%(actor)s催办：“%(title)s”。"),
    C.INSTRUCTION: gettext_lazy("%(actor)s批示：“%(title)s”。"),
    C.INSTRUCTION_ANSWERED: gettext_lazy(
        "%(unit)s已反馈您的批示（进度 %(percent)s%%）：“%(title)s”。"
    ),
    C.DUBAN_ISSUED: gettext_lazy("%(level)s单 %(number)s：请于%(date)s前反馈。"),
    C.DUBAN_ESCALATED: gettext_lazy(
        "%(level)s单 %(number)s（逾期未反馈，已升级）：请于%(date)s前反馈。"
    ),
    C.DUBAN_REPLIED: gettext_lazy("%(unit)s已反馈%(level)s单 %(number)s。"),
}
# What a message quotes as written by a person (a reason, an instruction), shown under it.
QUOTED = ("note", "text")


def _value(key, value):
    if key in ("date", "asked") and value:
        return format_date(datetime.date.fromisoformat(value))
    if key == "level" and value in SupervisionNotice.Level.values:
        return str(SupervisionNotice.Level(value).label)
    return value


def headline(message):
    """One sentence saying what happened, in the active language."""
    data = {key: _value(key, value) for key, value in (message.data or {}).items()}
    data.setdefault("title", "")
    data.setdefault("actor", str(message.actor) if message.actor_id else _("督查室"))
    try:
        return str(TEXTS[message.code]) % data
    except (KeyError, TypeError, ValueError):
        return str(message.get_code_display())


def quoted(message):
    """What a person wrote with it (reason, instruction, urging text), or ""."""
    data = message.data or {}
    return next((data[key] for key in QUOTED if data.get(key)), "")
