"""Checks made while the user waits: size, type (by content) and encoding of an upload."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.imports.errors import ImportRejected
from tracker.imports.formats.registry import sniff
from tracker.imports.formats.text import decode_text
from tracker.models import (
    Item,
    ItemOwner,
    ItemPerson,
)

logger = logging.getLogger(__name__)

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
    "implausible_date": gettext_lazy("文中日期超出合理范围（年份有误？），未作为时限导入"),
}

# Why a name was linked to a unit, or why a unit is suggested for it (tracker.imports.units).
REASONS = {
    "same_name": gettext_lazy("同名"),
    "alias": gettext_lazy("已知别名"),
    "folded": gettext_lazy("写法不同（括号、空格、“人民政府”等）"),
    "similar": gettext_lazy("名称相近"),
}

# Item matching on re-import: the same 编号 with similar text, or very similar text.
SAME_REF_SIMILARITY = 0.5
OTHER_REF_SIMILARITY = 0.75


# --- 1. checks made while the user waits --------------------------------------------------


def check_upload(name: str, data: bytes) -> str:
    """Reject what can be rejected at once; the kind of file to read it as.

    The type is told by the content (tracker/imports/formats/registry.py); what a reader
    finds inside (a damaged page, a password, a scan without text) fails in the task.
    """
    if not data:
        raise ImportRejected(_("文件“%(name)s”是空的。") % {"name": name})
    if len(data) > settings.DUBAN_MAX_UPLOAD_BYTES:
        raise ImportRejected(too_big_message(name, len(data)))
    kind = sniff(name, data)
    if kind == "text" and not decode_text(name, data).strip():
        raise ImportRejected(_("文件“%(name)s”是空的。") % {"name": name})
    return kind


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def too_big_message(name: str, size: int) -> str:
    return _("文件“%(name)s”过大（%(size)s），上限为 %(limit)s。") % {
        "name": name,
        "size": megabytes(size),
        "limit": megabytes(settings.DUBAN_MAX_UPLOAD_BYTES),
    }


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
