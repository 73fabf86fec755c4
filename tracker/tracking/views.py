"""Tracking pages: the workbench, the item list and its export, the item page and the workflow.

Views are thin: they load the item through tracker.access (404 when not visible, 403 when
the action is not allowed), validate a form and call one action from tracker.tracking.actions.
"""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker import access as perms
from tracker import tasks
from tracker.models import (
    Comment,
    Evidence,
    Item,
    ItemOwner,
    ProgressReport,
    Request,
    pace_of,
)
from tracker.tracking import actions, adhoc, audit, export_jobs, forms, instructions, listing
from tracker.tracking.exports import build_ledger
from tracker.tracking.once import once_per_submission

PAGE_SIZE = 30
CONTEXT_LINES = 3
# Filters folded under 更多筛选条件 (shown open when one of them is in use).
MORE_FILTERS = ["unit", "leader", "document", "status", "kind", "grade", "tag", "due", "overdue"]


# ---- list and export ------------------------------------------------------------------------


def _filtered(request):
    return listing.filtered(request.user, request.GET)


@login_required
def item_list(request):
    form, items = _filtered(request)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tracker/item_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_create_adhoc": perms.can(request.user, perms.CREATE_ADHOC),
            "can_sign": perms.can(request.user, perms.BULK_SIGN),
            "has_new": any(item.status == Item.Status.NEW for item in page.object_list),
            "more_filters": any(request.GET.get(name) for name in MORE_FILTERS),
            "withdrawn": request.GET.get("withdrawn") == "1",
        },
    )


@login_required
def item_export(request):
    """The 台账 workbook: at once when it is small, else a background job (export_jobs)."""
    _form, items = _filtered(request)
    if items.count() > export_jobs.inline_rows():
        job = export_jobs.start(request.user, request.GET.urlencode())
        tasks.export_ledger.delay_on_commit(job)
        return redirect("item_export_job", job=job)
    data = build_ledger(items)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"督办事项台账-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


# ---- item page ------------------------------------------------------------------------------


def source_context(item, around=CONTEXT_LINES):
    """The item's lines in its document with a few lines around: [(number, text, is_item)].

    Line numbers are those of the original file; document.line_start is the first line of
    document.text.
    """
    document = item.document
    if document is None or item.line_start is None:
        return []
    lines = document.text.splitlines()
    first = document.line_start
    end_line = item.line_end or item.line_start
    lo = max(item.line_start - around, first)
    hi = min(end_line + around, first + len(lines) - 1)
    return [
        (number, lines[number - first], item.line_start <= number <= end_line)
        for number in range(lo, hi + 1)
    ]


DETAIL_FORMS = {
    "sign": forms.SignForm,
    "report": forms.ReportForm,
    "extension": forms.ExtensionRequestForm,
    "completion": forms.CompletionRequestForm,
    "grade": forms.GradeForm,
    "comment": forms.CommentForm,
    "urge": forms.UrgeForm,
}
FORM_ACTION = {
    "sign": perms.SIGN,
    "report": perms.REPORT,
    "extension": perms.REQUEST_EXTENSION,
    "completion": perms.REQUEST_COMPLETION,
    "grade": perms.GRADE,
    "comment": perms.COMMENT,
    "urge": perms.URGE,
}


def _detail_item(user, pk):
    queryset = Item.objects.select_related("document", "parent").prefetch_related(
        Prefetch("owners", queryset=ItemOwner.objects.select_related("unit", "group")),
        "people",
        "tags",
        "deadlines",
        Prefetch(
            "reports",
            queryset=ProgressReport.objects.select_related(
                "author", "confirmed_by"
            ).prefetch_related("evidence"),
        ),
        Prefetch(
            "requests",
            queryset=Request.objects.select_related("requested_by", "decided_by").prefetch_related(
                "evidence"
            ),
        ),
        Prefetch("comments", queryset=Comment.objects.select_related("author")),
    )
    return perms.get_item_for(user, pk, queryset.with_state())


def render_detail(request, item, bound=None, status=200, conflict=None):
    """The item page; `bound` maps a form key to a submitted form to show with its input."""
    user = request.user
    bound = bound or {}
    allowed = {
        key: perms.can(user, action, item) and actions.is_possible(action, item)
        for key, action in FORM_ACTION.items()
    }
    detail_forms = {}
    for key, form_class in DETAIL_FORMS.items():
        if not allowed[key]:
            continue
        if key in bound:
            detail_forms[key] = bound[key]
            continue
        initial = {"version": item.version} if issubclass(form_class, forms.VersionForm) else {}
        if key == "grade" and item.grade:
            initial["grade"] = item.grade
        detail_forms[key] = form_class(initial=initial)
    if "comment" in detail_forms and user.role != user.Role.LEADER:
        detail_forms["comment"].fields.pop("due_date", None)  # 批示件: leaders only
    decide = perms.can(user, perms.DECIDE_COMPLETION, item)
    requests = list(item.requests.all())
    reports = list(item.reports.all())
    for report in reports:
        report.item = item  # already checked visible: no query per report
        report.confirmable = perms.can_confirm_report(user, report)
    for r in requests:
        r.item = item
    initial = {"version": item.version}
    decision_forms = {
        r.pk: bound.get(("decide", r.pk)) or decision_form(r, initial=initial)
        for r in requests
        if decide and r.decision == Request.Decision.PENDING and not r.awaits_unit
    }
    review_forms = {
        r.pk: bound.get(("review", r.pk)) or forms.UnitReviewForm(initial=initial)
        for r in requests
        if perms.can_review_request(user, r)
    }
    return render(
        request,
        "tracker/item_detail.html",
        {
            "item": item,
            "state": item.state_on(),
            "pace": pace_of(item),
            "owners": list(item.owners.all()),
            "group_progress": group_progress(item, reports),
            "people": list(item.people.all()),
            "source": source_context(item),
            "forms": detail_forms,
            "requests": [(r, decision_forms.get(r.pk), review_forms.get(r.pk)) for r in requests],
            "reports": reports,
            "report_note": _report_note(user) if "report" in detail_forms else "",
            "trail": audit.trail(item),
            "sub_items": list(instructions.sub_items(item)),
            "instruction_of": item.instruction.item if item.instruction_id else None,
            "conflict": conflict,
            "office": {
                key: perms.can(user, action, item)
                for key, action in (
                    ("edit", perms.EDIT),
                    ("split", perms.SPLIT),
                    ("withdraw", perms.WITHDRAW),
                )
            },
            "children": item.children.visible_to(user).with_state().order_by("pk"),
        },
        status=status,
    )


def decision_form(request, data=None, **kwargs):
    """The office's decision form: an extension's may grant another date than the one asked."""
    if request.kind == Request.Kind.EXTENSION:
        return forms.ExtensionDecisionForm(data, asked=request.new_date, **kwargs)
    return forms.DecisionForm(data, **kwargs)


def group_progress(item, reports):
    """For each unit group owning the item: every member unit and its latest report."""
    latest = {}
    for report in reports:  # newest first
        if report.author.unit_id and report.author.unit_id not in latest:
            latest[report.author.unit_id] = report
    out = []
    for owner in item.owners.all():
        if owner.group is None:
            continue
        members = [
            {"unit": unit, "report": latest.get(unit.pk)} for unit in owner.group.member_units()
        ]
        out.append(
            {
                "group": owner.group,
                "members": members,
                "reported": sum(1 for m in members if m["report"]),
            }
        )
    return out


def _report_note(user):
    """What happens to a report this user files: waits for the unit head, or goes up at once."""
    if user.role != user.Role.STAFF:
        return ""
    if actions.report_needs_confirmation(user):
        return _("报送后须经本单位部门负责人确认，才计入事项进度和最新进展。")
    return _("本单位未设部门负责人账号，报送后直接计入事项进度。")


@login_required
def item_detail(request, pk):
    return render_detail(request, _detail_item(request.user, pk))


# ---- workflow actions -----------------------------------------------------------------------


def _perform(request, item, key, form, run):
    """Run an action from a valid form; on bad input, refusal or conflict show the item page."""
    if not form.is_valid():
        return render_detail(request, item, bound={key: form}, status=400)
    try:
        run(form.cleaned_data)
    except actions.Conflict as conflict:
        fresh = _detail_item(request.user, item.pk)
        data = request.POST.copy()
        data["version"] = conflict.current.version
        again = (
            type(form)(data, request.FILES, **_form_kwargs(key, fresh))
            if isinstance(key, str)
            else type(form)(data, **_form_kwargs(form, fresh))
        )
        again.is_valid()
        return render_detail(request, fresh, bound={key: again}, status=409, conflict=conflict)
    except actions.ActionError as error:
        messages.error(request, str(error))
        return render_detail(request, _detail_item(request.user, item.pk), status=400)
    return None


def _form_kwargs(key, item):
    if isinstance(key, forms.ExtensionDecisionForm):
        return {"asked": key.asked}
    return {"item": item} if key == "extension" else {}


def _action_view(key, done_message, run):
    """A POST-only view for one item action: load, check permission, validate, act, redirect."""

    @login_required
    @require_POST
    @once_per_submission
    def view(request, pk):
        item = _detail_item(request.user, pk)
        perms.require(request.user, FORM_ACTION[key], item)
        form = DETAIL_FORMS[key](request.POST, request.FILES, **_form_kwargs(key, item))
        response = _perform(request, item, key, form, lambda data: run(request.user, item, data))
        if response is not None:
            return response
        messages.success(request, done_message())
        return redirect("item_detail", pk=item.pk)

    view.__name__ = f"item_{key}"
    return view


item_sign = _action_view(
    "sign",
    lambda: _("已签收。"),
    lambda user, item, d: actions.do_sign(user, item, d["version"]),
)
item_report = _action_view(
    "report",
    lambda: _("进展已报送。"),
    lambda user, item, d: actions.do_report(
        user, item, d["version"], d["percent"], d["narrative"], d["files"]
    ),
)
item_extension = _action_view(
    "extension",
    lambda: _("延期申请已提交，等待督查室审核。"),
    lambda user, item, d: actions.do_request_extension(
        user, item, d["version"], d["new_date"], d["reason"]
    ),
)
item_completion = _action_view(
    "completion",
    lambda: _("办结申请已提交，等待督查室审核。"),
    lambda user, item, d: actions.do_request_completion(
        user, item, d["version"], d["reason"], d["files"]
    ),
)
item_grade = _action_view(
    "grade",
    lambda: _("已评定等次。"),
    lambda user, item, d: actions.do_grade(user, item, d["version"], d["grade"]),
)


def _and_mail(result):
    """After an action that posts inbox messages: e-mail them once the transaction commits."""
    tasks.notices_mail.delay_on_commit()
    return result


item_comment = _action_view(
    "comment",
    lambda: _("已发表。"),
    lambda user, item, d: _and_mail(actions.do_comment(user, item, d["text"], d.get("due_date"))),
)
item_urge = _action_view(
    "urge",
    lambda: _("催办通知已发至责任单位（站内消息和邮件）。"),
    lambda user, item, d: _and_mail(actions.do_urge(user, item, d["text"])),
)


@login_required
@require_POST
@once_per_submission
def request_decide(request, pk, request_id):
    """The supervision office approves or rejects an extension or completion request."""
    item = _detail_item(request.user, pk)
    req = get_object_or_404(Request, pk=request_id, item=item)
    is_completion = req.kind == Request.Kind.COMPLETION
    perms.require(
        request.user, perms.DECIDE_COMPLETION if is_completion else perms.DECIDE_EXTENSION, item
    )
    form = decision_form(req, request.POST)

    def run(data):
        approve = data["decision"] == form.APPROVE
        if is_completion:
            actions.do_decide_completion(request.user, req, data["version"], approve, data["note"])
        else:
            actions.do_decide_extension(
                request.user,
                req,
                data["version"],
                approve,
                data["note"],
                date=data.get("granted_date"),
            )
        tasks.notices_mail.delay_on_commit()

    response = _perform(request, item, ("decide", req.pk), form, run)
    if response is not None:
        return response
    messages.success(request, _("审核意见已保存。"))
    return redirect("item_detail", pk=item.pk)


@login_required
def evidence_download(request, pk):
    """Serve an evidence file only to users who may see its item."""
    evidence = get_object_or_404(Evidence.objects.select_related("item"), pk=pk)
    item = perms.get_item_for(request.user, evidence.item_id)
    perms.require(request.user, perms.DOWNLOAD, item)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# ---- ad hoc assignments ---------------------------------------------------------------------


@login_required
@once_per_submission
def adhoc_create(request):
    perms.require(request.user, perms.CREATE_ADHOC)
    form = forms.AdhocForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = adhoc.do_create_adhoc(
            request.user,
            data["text"],
            data["lead"],
            list(data["co_units"]),
            received_on=data["received_on"],
            complex_item=data["complexity"] == form.COMPLEX,
            due_date=data["due_date"],
        )
        messages.success(request, _("交办事项已创建，已按“13710”生成时间节点。"))
        return redirect("item_detail", pk=item.pk)
    return render(
        request,
        "tracker/item_adhoc_form.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )
