"""One periodic report per unit (单位定期报送): the unit reports once per period on all its
open items on one page, a row each (percent, narrative, evidence).

Each filled row is that item's progress report, filed through actions.do_report, so the
usual rules hold: a staff member's rows wait for the unit head, the item's version is checked
(a row changed by someone else meanwhile stops the whole submission, nothing is saved), and
the report reminders of the period stop for every item reported. A row left empty is not
reported; the page says which items this period still lacks.
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tracker import access as perms
from tracker.lib.dates import format_date
from tracker.models import Item, ProgressReport
from tracker.tracking import actions
from tracker.tracking.forms import EvidenceField, VersionForm
from tracker.tracking.once import once_per_submission

# Rows on one page: a unit's open items (a district unit holds a few dozen).
ROW_LIMIT = 300


class RowForm(VersionForm):
    """One item's row; empty (no narrative, no percent, no file) means "not this time"."""

    percent = forms.IntegerField(
        label=gettext_lazy("完成进度(%)"), min_value=0, max_value=100, required=False
    )
    narrative = forms.CharField(
        label=gettext_lazy("进展情况"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence = EvidenceField(label=gettext_lazy("佐证材料"), required=False)

    def clean(self):
        data = super().clean()
        filled = data.get("narrative", "").strip() or data.get("evidence")
        if filled and data.get("percent") is None:
            self.add_error("percent", _("请填写完成进度。"))
        if filled and not data.get("narrative", "").strip():
            self.add_error("narrative", _("请填写进展情况。"))
        data["filled"] = bool(filled)
        return data


def period_start(today):
    """The reporting period is the calendar month (the default report cycle)."""
    return today.replace(day=1)


def unit_items(user):
    """The open items the user's unit reports on (in progress), each with its last report."""
    last = ProgressReport.objects.filter(item=OuterRef("pk"), returned_at__isnull=True)
    return (
        perms.visible_items(user)
        .filter(status=Item.Status.IN_PROGRESS)
        .annotate(last_report=Subquery(last.order_by("-created_at").values("created_at")[:1]))
        .order_by("due_date", "id")[:ROW_LIMIT]
    )


def _rows(items, data=None, files=None):
    rows = []
    for item in items:
        form = RowForm(
            data,
            files,
            prefix=f"i{item.pk}",
            initial={"version": item.version, "percent": item.percent},
        )
        rows.append({"item": item, "form": form})
    return rows


def _page(request, rows, status=200):
    user = request.user
    today = timezone.localdate()
    start = period_start(today)
    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time()))
    for row in rows:
        row["done"] = row["item"].last_report is not None and row["item"].last_report >= since
    return render(
        request,
        "tracker/periodic_report.html",
        {
            "rows": rows,
            "period": format_date(start) + " – " + format_date(today),
            "missing": sum(1 for row in rows if not row["done"]),
            "to_sign": perms.visible_items(user).filter(status=Item.Status.NEW).count(),
            "needs_head": actions.report_needs_confirmation(user),
            "limit": ROW_LIMIT,
        },
        status=status,
    )


@login_required
@once_per_submission
def periodic_report(request):
    """GET: the unit's page for this period; POST: file every filled row as one submission."""
    perms.require(request.user, perms.PERIODIC_REPORT)
    items = list(unit_items(request.user))
    if request.method != "POST":
        return _page(request, _rows(items))
    rows = [
        row
        for row in _rows(items, request.POST, request.FILES)
        if f"{row['form'].prefix}-version" in request.POST
    ]
    valid = all(row["form"].is_valid() for row in rows)
    filled = [row for row in rows if valid and row["form"].cleaned_data["filled"]]
    if not valid or not filled:
        if valid:
            messages.error(request, _("请至少填写一项事项的进展。"))
        return _page(request, _rows_for_page(items, rows), status=400)
    try:
        with transaction.atomic():
            for row in filled:
                if not perms.can(request.user, perms.REPORT, row["item"]):
                    raise actions.ActionError(_("您无权报送此事项。"))
                data = row["form"].cleaned_data
                actions.do_report(
                    request.user,
                    row["item"],
                    data["version"],
                    data["percent"],
                    data["narrative"].strip(),
                    data["evidence"],
                )
    except actions.ActionError as error:
        messages.error(
            request,
            _("“%(item)s”：%(error)s 本次报送未保存，请核对后重新提交。")
            % {"item": row["item"].text[:30], "error": error},
        )
        fresh = {item.pk: item for item in unit_items(request.user)}
        for each in rows:  # show the newer versions, keep what was typed
            each["item"] = fresh.get(each["item"].pk, each["item"])
        return _page(request, _rebound(rows, request), status=409)
    messages.success(
        request,
        ngettext("已报送 %(n)s 项事项的进展。", "已报送 %(n)s 项事项的进展。", len(filled))
        % {"n": len(filled)},
    )
    return redirect("periodic_report")


def _rows_for_page(items, posted):
    by_pk = {row["item"].pk: row for row in posted}
    return [by_pk.get(item.pk) or _rows([item])[0] for item in items]


def _rebound(rows, request):
    """The posted rows again, each carrying its item's current version (files re-chosen)."""
    out = []
    for row in rows:
        data = request.POST.copy()
        data[f"{row['form'].prefix}-version"] = row["item"].version
        form = RowForm(data, prefix=row["form"].prefix)
        form.is_valid()
        out.append({"item": row["item"], "form": form})
    return out
