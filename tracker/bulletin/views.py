"""The 通报 and 年终考核 pages, the A4 print view and the downloads (office, leaders, admins:
tracker.access.VIEW_BULLETIN); every figure starts from the items visible to the reader."""

import datetime
from urllib.parse import quote

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker import access as perms
from tracker.bulletin import exports, figures
from tracker.lib.dates import format_date
from tracker.models import AssessmentSettings, SourceDocument, Unit, User
from tracker.tracking.forms import PlausibleDateField

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def last_month(today):
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=1), end


class BulletinForm(forms.Form):
    start = PlausibleDateField(label=gettext_lazy("起始日期"))
    end = PlausibleDateField(label=gettext_lazy("截止日期"))
    document = forms.ModelChoiceField(
        label=gettext_lazy("文件"), required=False, queryset=SourceDocument.objects.order_by("-id")
    )
    leader = forms.ModelChoiceField(
        label=gettext_lazy("分管领导"),
        required=False,
        queryset=User.objects.filter(role=User.Role.LEADER, is_active=True),
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("截止日期不能早于起始日期。"))
        return data


def _bulletin(request):
    """(form, context) of the 通报 the query asks for (last month, all units by default)."""
    perms.require(request.user, perms.VIEW_BULLETIN)
    start, end = last_month(timezone.localdate())
    query = request.GET.copy()
    query.setdefault("start", start.isoformat())
    query.setdefault("end", end.isoformat())
    form = BulletinForm(query)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, bulletin_context(
        request.user,
        data["start"],
        data["end"],
        figures.Scope(document=data["document"], leader=data["leader"]),
    )


def bulletin_context(user, start, end, scope):
    rows = figures.unit_rows(perms.visible_items(user), start, end, scope)
    if scope.document is not None:
        scope_label = scope.document.title or scope.document.doc_number
    elif scope.leader is not None:
        scope_label = _("%(leader)s分管单位") % {"leader": scope.leader}
    else:
        scope_label = _("全部单位")
    return {
        "rows": rows,
        "totals": figures.totals(rows),
        "title": _("督办事项落实情况通报"),
        "subtitle": _("%(start)s至%(end)s · %(scope)s")
        % {"start": format_date(start), "end": format_date(end), "scope": scope_label},
        "start": start,
        "end": end,
    }


@login_required
def bulletin(request):
    form, context = _bulletin(request)
    query = request.GET.urlencode()
    return render(
        request,
        "tracker/bulletin/page.html",
        {"form": form, "query": query, **(context or {})},
        status=200 if context is not None else 400,
    )


@login_required
def bulletin_print(request):
    form, context = _bulletin(request)
    if context is None:
        raise Http404(_("查询条件有误。"))
    return render(request, "tracker/bulletin/print.html", context)


def _download(data, content_type, ascii_name, name):
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )
    return response


@login_required
def bulletin_xlsx(request):
    form, context = _bulletin(request)
    if context is None:
        raise Http404(_("查询条件有误。"))
    data = exports.bulletin_xlsx(context["title"], context["subtitle"], context["rows"])
    return _download(data, XLSX, "bulletin.xlsx", f"{_('通报')}-{context['end']:%Y%m%d}.xlsx")


@login_required
def bulletin_docx(request):
    form, context = _bulletin(request)
    if context is None:
        raise Http404(_("查询条件有误。"))
    data = exports.bulletin_docx(
        context["title"], context["subtitle"], context["rows"], context["totals"]
    )
    return _download(data, DOCX, "bulletin.docx", f"{_('通报')}-{context['end']:%Y%m%d}.docx")


# ---- 年终考核 ---------------------------------------------------------------------------------


def _year(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", "") or today.year - (1 if today.month < 3 else 0))
    except ValueError:
        year = today.year
    return year if 2000 <= year <= today.year + 1 else today.year


@login_required
def assessment(request):
    perms.require(request.user, perms.VIEW_BULLETIN)
    year = _year(request)
    scores = figures.assessment(perms.visible_items(request.user), year)
    return render(
        request,
        "tracker/bulletin/assessment.html",
        {
            "year": year,
            "scores": scores,
            "weights": AssessmentSettings.load(),
            "years": list(range(timezone.localdate().year, 2019, -1)),
        },
    )


@login_required
def assessment_xlsx(request):
    perms.require(request.user, perms.VIEW_BULLETIN)
    year = _year(request)
    scores = figures.assessment(perms.visible_items(request.user), year)
    data = exports.assessment_xlsx(_("%(year)s年度督办事项考核") % {"year": year}, scores)
    return _download(data, XLSX, f"assessment-{year}.xlsx", f"{_('年终考核')}-{year}.xlsx")


@login_required
def assessment_unit(request, year, unit_id):
    """The items behind one unit's score: each with its grade, on-time and overdue days."""
    perms.require(request.user, perms.VIEW_BULLETIN)
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Http404(_("没有找到该单位。"))
    scores = figures.assessment(perms.visible_items(request.user), year)
    score = next((s for s in scores if s.row.unit_id == unit.pk), None)
    return render(
        request,
        "tracker/bulletin/assessment_unit.html",
        {
            "year": year,
            "unit": unit,
            "score": score,
            "weights": AssessmentSettings.load(),
        },
    )
