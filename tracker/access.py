"""The one place that decides who may open an item and who may do what with it.

Seeing an item is `Item.objects.visible_to(user)` (tracker/models/items.py); everything here is built
on it. Views call `get_item_for` (404 when the item is not visible, so its existence does not
leak) and then `require(user, action, item)` (403 when visible but not allowed).

Who may do what:
- 部门工作人员 staff: read, comment, sign, report, request an extension or completion, on items
  their unit leads or co-operates on;
- 部门负责人 unit head: the same, and reviews their own unit's staff first (two-level review):
  confirms or returns (with a reason) progress reports and completion requests; only what
  the head confirmed goes up (tracker.tracking.actions, tracker.tracking.review);
- 督查室 supervision office (and administrators): everything but confirming a unit's reports,
  including editing an item (EDIT), splitting it into sub-items (SPLIT, 分解) and withdrawing
  or restoring it (WITHDRAW, 撤销);
- 领导 leaders: read everything, change nothing but comments (批示).

Actions without an item (importing documents, managing reminders, creating 交办事项, issuing
督办单, managing unit groups) belong to the supervision office and administrators; views guard them with
`@office_required(ACTION)`.

督办单 (tracker/supervision/): a unit's staff and heads see their unit's notices and reply to
them while they wait for a reply; the office, leaders and administrators see all; the copied
分管领导 reads them like every leader. Items listed on a notice still open through
`get_item_for`.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from tracker.models import Item, SupervisionNotice

VIEW = "view"
DOWNLOAD = "download"
COMMENT = "comment"
SIGN = "sign"
REPORT = "report"
CONFIRM = "confirm"
REQUEST_EXTENSION = "request_extension"
REQUEST_COMPLETION = "request_completion"
DECIDE_EXTENSION = "decide_extension"
DECIDE_COMPLETION = "decide_completion"
GRADE = "grade"
URGE = "urge"
CREATE_ADHOC = "create_adhoc"
IMPORT = "import"  # upload, preview and confirm documents
MANAGE_REMINDERS = "manage_reminders"  # the failed e-mails page and resending
ISSUE_NOTICE = "issue_notice"  # 督办单: issue (the office)
REPLY_NOTICE = "reply_notice"  # 督办单: reply (the addressed unit's staff and heads)
BULK_SIGN = "bulk_sign"  # 签收 many at once: whoever may sign (each item checked with SIGN)
PERIODIC_REPORT = "periodic_report"  # one report per unit and period: the unit's members
VIEW_BULLETIN = "view_bulletin"  # 通报 and 年终考核: the office, leaders and administrators
EDIT = "edit"  # change an item's text, owners, people, dates and tags (the office)
SPLIT = "split"  # 分解: split an item into sub-items with their own owners and dates
WITHDRAW = "withdraw"  # 撤销 an item with a reason, and restore it
MANAGE_UNITS = "manage_units"  # the unit groups page (各镇(街道) and their members)

READ_ACTIONS = frozenset({VIEW, DOWNLOAD})
UNIT_ACTIONS = frozenset({SIGN, REPORT, REQUEST_EXTENSION, REQUEST_COMPLETION})
OFFICE_ACTIONS = frozenset(
    {
        DECIDE_EXTENSION,
        DECIDE_COMPLETION,
        GRADE,
        URGE,
        CREATE_ADHOC,
        IMPORT,
        MANAGE_REMINDERS,
        ISSUE_NOTICE,
        EDIT,
        SPLIT,
        WITHDRAW,
        MANAGE_UNITS,
    }
)
ITEM_ACTIONS = frozenset(READ_ACTIONS | UNIT_ACTIONS | OFFICE_ACTIONS | {COMMENT, CONFIRM}) - {
    CREATE_ADHOC,
    IMPORT,
    MANAGE_REMINDERS,
    ISSUE_NOTICE,
    MANAGE_UNITS,
}


def visible_items(user, withdrawn=False):
    """The items this user may see (the list, the export and the workbench start here).

    A withdrawn item (撤销) is left out; it still opens through `get_item_for`, and the list
    shows the withdrawn ones alone when asked (`withdrawn=True`)."""
    if withdrawn:
        return Item.objects.visible_to(user).filter(withdrawn_at__isnull=False)
    return Item.objects.visible_to(user).active()


def get_item_for(user, pk, queryset=None):
    """The item with this pk if the user may see it, else 404 (never 403: no leak)."""
    queryset = queryset if queryset is not None else Item.objects.all()
    item = queryset.visible_to(user).filter(pk=pk).first()
    if item is None:
        raise Http404(_("没有找到该督办事项，或您无权查看。"))
    item._visible_to = user.pk
    return item


def _sees(user, item):
    if item is None:
        return True
    if getattr(item, "_visible_to", None) == user.pk:
        return True
    return Item.objects.visible_to(user).filter(pk=item.pk).exists()


def can(user, action, item=None):
    """May `user` do `action` on `item` (who may, not whether the item's status allows it)?"""
    if not user.is_authenticated or not _sees(user, item):
        return False
    if action == CONFIRM:  # the unit's own check before a report goes up: heads only
        return item is not None and user.role == user.Role.UNIT_HEAD
    if action == BULK_SIGN:
        return item is None and (user.is_unit_member or user.manages_items)
    if action == VIEW_BULLETIN:
        return item is None and user.sees_everything
    if action == PERIODIC_REPORT:  # each row is then checked with REPORT on its item
        return item is None and user.is_unit_member
    if user.manages_items:
        return True
    if action in READ_ACTIONS or action == COMMENT:
        return item is not None
    if not user.is_unit_member or item is None:
        return False
    return action in UNIT_ACTIONS


def can_confirm_report(user, report):
    """May `user` confirm this report: a unit head of the author's unit, while it waits?"""
    return (
        report.confirmed_at is None
        and report.returned_at is None
        and report.author.unit_id is not None
        and report.author.unit_id == user.unit_id
        and can(user, CONFIRM, report.item)
    )


def can_review_request(user, request):
    """May `user` confirm or return this completion request: a unit head of the requester's
    unit, while it waits for them (before the office)?"""
    return (
        request.awaits_unit
        and request.decision == request.Decision.PENDING
        and request.requested_by.unit_id is not None
        and request.requested_by.unit_id == user.unit_id
        and can(user, CONFIRM, request.item)
    )


def require_review(user, request):
    if not can_review_request(user, request):
        raise PermissionDenied(_("只有申请人所在单位的部门负责人可以确认或退回此申请。"))


def notices_visible_to(user):
    """The 督办单 this user may open: their unit's, or all for the office, leaders and admins."""
    notices = SupervisionNotice.objects.all()
    if not user.is_authenticated:
        return notices.none()
    if user.sees_everything:
        return notices
    if not user.is_unit_member or user.unit_id is None:
        return notices.none()
    return notices.filter(unit_id=user.unit_id)


def get_notice_for(user, pk):
    notice = notices_visible_to(user).select_related("unit", "issued_by").filter(pk=pk).first()
    if notice is None:
        raise Http404(_("没有找到该督办单，或您无权查看。"))
    return notice


def can_reply_notice(user, notice):
    """A member of the addressed unit, while the notice waits for its reply."""
    return (
        user.is_authenticated
        and user.is_unit_member
        and user.unit_id == notice.unit_id
        and notice.status == SupervisionNotice.Status.ISSUED
    )


def require(user, action, item=None):
    if not can(user, action, item):
        raise PermissionDenied(_("您无权进行此操作。"))


def require_confirm(user, report):
    if not can_confirm_report(user, report):
        raise PermissionDenied(_("只有填报人所在单位的部门负责人可以确认此报告。"))


def office_required(action):
    """A view decorator: signed in (else the login page) and allowed `action` (else 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            require(request.user, action)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
