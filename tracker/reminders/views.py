"""Pages of the reminders feature: "我的提醒" for everyone, failed e-mails for the office."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tracker import tasks
from tracker.access import MANAGE_REMINDERS, office_required
from tracker.lib.numbers import parse_ids
from tracker.models import (
    Delivery,
    Item,
    Notice,
    ReminderFault,
    ReminderSettings,
    ReminderSweep,
    User,
)
from tracker.reminders import mail

MY_LIMIT = 200
FAILURE_LIMIT = 200


class DeliveryPreferenceForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["delivery"]
        widgets = {"delivery": forms.RadioSelect}
        labels = {"delivery": gettext_lazy("接收方式")}


@login_required
def my_reminders(request):
    """What this user was sent (for items they may still see), and how they want it."""
    if request.method == "POST":
        form = DeliveryPreferenceForm(request.POST, instance=request.user)
        if form.is_valid():
            form.save()
            messages.success(request, _("提醒方式已保存。"))
            return redirect("my_reminders")
    else:
        form = DeliveryPreferenceForm(instance=request.user)
    notices = (
        Notice.objects.filter(
            recipient=request.user, reminder__item__in=Item.objects.visible_to(request.user)
        )
        .select_related("reminder__item", "reminder__deadline", "delivery")
        .order_by("-reminder__date", "-id")[:MY_LIMIT]
    )
    return render(
        request,
        "tracker/reminders/mine.html",
        {
            "form": form,
            "notices": notices,
            "limit": MY_LIMIT,
        },
        status=400 if form.errors else 200,
    )


@office_required(MANAGE_REMINDERS)
def reminder_failures(request):
    """E-mails that finally failed, those still being retried, those possibly sent twice, and
    the dates the sweep skipped (tracker/reminders/faults.py), for the supervision office."""
    rows = Delivery.objects.filter(status=Delivery.Status.FAILED) | Delivery.objects.filter(
        status=Delivery.Status.PENDING, attempts__gt=0
    )
    rows = rows.select_related("recipient", "recipient__unit").order_by("-next_attempt_at")
    # Sent again after an attempt whose outcome was unknown (the sender died or the line
    # dropped after sending began): the recipient may have two copies, with one Message-ID.
    duplicates = Delivery.objects.filter(possibly_duplicate=True)
    return render(
        request,
        "tracker/reminders/failures.html",
        {
            "rows": rows[:FAILURE_LIMIT],
            "limit": FAILURE_LIMIT,
            "duplicate_count": duplicates.count(),
            "duplicates": duplicates.select_related("recipient").order_by("-created_at", "-id")[
                :FAILURE_LIMIT
            ],
            "sweeps": ReminderSweep.objects.all()[:7],
            "rules": ReminderSettings.load(),
            "faults": ReminderFault.objects.select_related("item", "deadline")[:FAILURE_LIMIT],
        },
    )


@office_required(MANAGE_REMINDERS)
@require_POST
def reminder_retry(request):
    """Send the chosen failed e-mails again (attempts start over) at the next tick."""
    ids = parse_ids(request.POST.getlist("delivery"))
    count = mail.retry_failed(ids)
    if count:
        tasks.reminders_tick.delay_on_commit()
        messages.success(request, _("已安排重新发送 %(n)s 封邮件。") % {"n": count})
    else:
        messages.error(request, _("请先勾选要重新发送的邮件。"))
    return redirect("reminder_failures")
