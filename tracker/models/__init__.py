"""The supervision domain: units, people, source documents, tracked items and their progress.

Vocabulary (defined once, used everywhere):
- Unit: an organisation that owns work (市直部门, 县(市、区), 镇(街道), 企业).
- SourceFile: one uploaded file (a gazette or a single document); SourceDocument: one
  document found in it (title, 文号, issuer, signing date).
- Item: one tracked assignment (任务, 项目, 报送义务 or 交办事项).
- ItemOwner: a unit named on an item as lead (牵头单位), co-operating (配合单位) or
  responsible (责任单位); ItemPerson: a leader (责任领导/分管领导), office (责任科室) or person
  (责任人) named on an item. Both keep the name as written and, once resolved, a link.
- Deadline: a time expression of an item normalized to a date, a recurrence or nothing
  (ongoing work); milestones of ad hoc assignments are Deadlines too.

One module per area; every model is importable from ``tracker.models``.
"""

from tracker.models.bulletin import AssessmentSettings, BulletinMail
from tracker.models.channels import ChannelDelivery, UnitChannel
from tracker.models.documents import SourceDocument, SourceFile, Tag
from tracker.models.imports import ImportJob
from tracker.models.inbox import Message
from tracker.models.items import AT_RISK_DAYS, Deadline, Item, ItemOwner, ItemPerson, ItemQuerySet
from tracker.models.pace import (
    LIGHT_COLORS,
    LIGHT_ORDER,
    Light,
    Pace,
    PaceSettings,
    annotate_pace,
    pace_of,
)
from tracker.models.reminders import (
    Delivery,
    Notice,
    Reminder,
    ReminderFault,
    ReminderSettings,
    ReminderSweep,
    _default_digest_time,
    _default_quiet_time,
    _default_send_time,
    _validate_day_list,
)
from tracker.models.supervision import SupervisionNotice, SupervisionReply
from tracker.models.system import Heartbeat, Holiday, PasswordResetRequest, Submission
from tracker.models.units import Unit, UnitAlias, UnitGroup, User
from tracker.models.workflow import Comment, Evidence, ProgressReport, Request, evidence_path

__all__ = [
    "AT_RISK_DAYS",
    "AssessmentSettings",
    "BulletinMail",
    "ChannelDelivery",
    "Comment",
    "Deadline",
    "Delivery",
    "Evidence",
    "Heartbeat",
    "Holiday",
    "ImportJob",
    "Item",
    "ItemOwner",
    "ItemPerson",
    "ItemQuerySet",
    "LIGHT_COLORS",
    "LIGHT_ORDER",
    "Light",
    "Message",
    "Notice",
    "Pace",
    "PaceSettings",
    "PasswordResetRequest",
    "ProgressReport",
    "annotate_pace",
    "pace_of",
    "Reminder",
    "ReminderFault",
    "ReminderSettings",
    "ReminderSweep",
    "Request",
    "SourceDocument",
    "SourceFile",
    "Submission",
    "SupervisionNotice",
    "SupervisionReply",
    "Tag",
    "Unit",
    "UnitChannel",
    "UnitAlias",
    "UnitGroup",
    "User",
    "_default_digest_time",
    "_default_quiet_time",
    "_default_send_time",
    "_validate_day_list",
    "evidence_path",
]
