from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tracker import models
from tracker.tracking import actions

admin.site.site_header = _("督办台 管理")
admin.site.site_title = _("督办台")
admin.site.index_title = _("系统管理")


class UnitAliasInline(admin.TabularInline):
    model = models.UnitAlias
    extra = 1


@admin.register(models.Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "aliases__name"]
    inlines = [UnitAliasInline]


@admin.register(models.UnitAlias)
class UnitAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "unit"]
    search_fields = ["name", "unit__name"]
    autocomplete_fields = ["unit"]


@admin.register(models.UnitGroup)
class UnitGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "member_kind"]
    search_fields = ["name", "members__name"]
    filter_horizontal = ["members"]


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "unit", "email", "is_active"]
    list_filter = ["role", "is_active", "unit__kind"]
    search_fields = ["username", "display_name", "email", "unit__name"]
    autocomplete_fields = ["unit"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            _("督办台"),
            {"fields": ("display_name", "role", "unit", "phone", "delivery", "language")},
        ),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("督办台"), {"fields": ("display_name", "role", "unit", "email")}),
    )


class SourceDocumentInline(admin.TabularInline):
    model = models.SourceDocument
    fields = ["doc_number", "title", "issuer", "signed_on", "line_start", "line_end"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False


@admin.register(models.SourceFile)
class SourceFileAdmin(admin.ModelAdmin):
    list_display = ["name", "gazette_title", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["name", "gazette_title", "sha256"]
    readonly_fields = ["sha256", "size", "uploaded_at"]
    inlines = [SourceDocumentInline]


@admin.register(models.SourceDocument)
class SourceDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "doc_number", "issuer", "signed_on", "imported_at"]
    search_fields = ["title", "doc_number", "issuer"]
    list_filter = ["issuer"]
    date_hierarchy = "signed_on"
    readonly_fields = ["sha256"]


class ItemOwnerInline(admin.TabularInline):
    model = models.ItemOwner
    extra = 0
    autocomplete_fields = ["unit"]


class ItemPersonInline(admin.TabularInline):
    model = models.ItemPerson
    extra = 0


class DeadlineInline(admin.TabularInline):
    model = models.Deadline
    extra = 0


class ProgressReportInline(admin.StackedInline):
    model = models.ProgressReport
    extra = 0
    fields = ["author", "created_at", "percent", "narrative", "confirmed_by", "confirmed_at"]


class ItemAdminForm(forms.ModelForm):
    """The admin's item form, under the same optimistic locking as the pages' forms: it carries
    the version it was loaded at (hidden) and a save of an older version is refused."""

    class Meta:
        model = models.Item
        fields = "__all__"  # noqa: DJ007 (the admin shows every field anyway)
        widgets = {"version": forms.HiddenInput}

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and "version" in cleaned:
            # The admin saves in one transaction: the row stays locked until this save ends.
            current = models.Item.objects.select_for_update().get(pk=self.instance.pk)
            if cleaned["version"] != current.version:
                raise forms.ValidationError(str(actions.Conflict(current)), code="conflict")
        return cleaned


@admin.register(models.Item)
class ItemAdmin(SimpleHistoryAdmin):
    form = ItemAdminForm
    list_display = ["ref", "short_text", "kind", "status", "percent", "due_date", "grade"]
    list_filter = ["status", "kind", "grade", "tags", "document"]
    search_fields = ["text", "ref", "owners__name", "people__name"]
    date_hierarchy = "due_date"
    filter_horizontal = ["tags"]
    inlines = [ItemOwnerInline, ItemPersonInline, DeadlineInline, ProgressReportInline]
    list_select_related = ["document"]

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # The fields the form changed, written by the pages' conditional UPDATE (version check,
        # next version, audit row); tags and the inlines are saved after it as usual.
        fields = {f.name: f.attname for f in obj._meta.concrete_fields}
        changes = {
            fields[name]: getattr(obj, fields[name])
            for name in form.changed_data
            if name in fields and name != "version"
        }
        actions.do_admin_edit(request.user, obj, form.cleaned_data["version"], changes)

    @admin.display(description=_("任务内容"))
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 50 else obj.text[:50] + "…"


@admin.register(models.Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(models.Deadline)
class DeadlineAdmin(SimpleHistoryAdmin):
    list_display = ["item", "kind", "expr", "date", "recurrence", "ongoing"]
    list_filter = ["kind", "ongoing", "recurrence"]
    date_hierarchy = "date"
    raw_id_fields = ["item"]


@admin.register(models.ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = ["item", "author", "created_at", "percent"]
    raw_id_fields = ["item"]
    date_hierarchy = "created_at"


@admin.register(models.Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "item", "content_type", "size", "uploaded_by", "uploaded_at"]
    raw_id_fields = ["item", "report"]


@admin.register(models.Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = ["item", "kind", "requested_by", "requested_at", "decision", "decided_by"]
    list_filter = ["kind", "decision"]
    raw_id_fields = ["item"]


@admin.register(models.Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["item", "kind", "author", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["item"]


@admin.register(models.Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "is_workday"]
    date_hierarchy = "date"


@admin.register(models.Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "at"]


# --- Reminders ---------------------------------------------------------------------------------


@admin.register(models.ReminderSettings)
class ReminderSettingsAdmin(admin.ModelAdmin):
    """The one row of reminder rules: the list page opens it directly."""

    fieldsets = [
        (
            _("发送时间"),
            {
                "fields": [
                    "enabled",
                    "send_time",
                    "quiet_time",
                    "digest_time",
                    "weekly_digest_weekday",
                ]
            },
        ),
        (
            _("到期与逾期"),
            {
                "fields": [
                    "before_days",
                    "overdue_daily_days",
                    "overdue_every_days",
                    "escalate_after_days",
                ]
            },
        ),
        (_("进展报送"), {"fields": ["report_day", "report_before_days"]}),
        (
            _("投递"),
            {
                "fields": [
                    "catch_up_days",
                    "max_attempts",
                    "retry_backoff_seconds",
                    "claim_timeout_seconds",
                ]
            },
        ),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        from django.shortcuts import redirect

        rules = models.ReminderSettings.load()
        return redirect("admin:tracker_remindersettings_change", rules.pk)


@admin.register(models.PaceSettings)
class PaceSettingsAdmin(admin.ModelAdmin):
    """The one row of 序时进度 thresholds: the list page opens it directly."""

    fields = ["yellow_points", "red_points"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        from django.shortcuts import redirect

        row, _created = models.PaceSettings.objects.get_or_create(pk=1)
        return redirect("admin:tracker_pacesettings_change", row.pk)


class NoticeInline(admin.TabularInline):
    model = models.Notice
    fields = ["recipient", "delivery"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(models.Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["date", "rule", "offset", "due_on", "item", "deadline"]
    list_filter = ["rule", "date"]
    date_hierarchy = "date"
    raw_id_fields = ["item", "deadline"]
    readonly_fields = ["created_at", "fanned_out"]
    inlines = [NoticeInline]


@admin.register(models.Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "period", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient__username", "recipient__display_name", "address"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "period"
    readonly_fields = ["claimed_at", "claim_token", "sent_at", "subject", "address", "created_at"]


@admin.register(models.ReminderSweep)
class ReminderSweepAdmin(admin.ModelAdmin):
    list_display = ["date", "started_at", "finished_at", "reminders", "notices"]


@admin.register(models.AssessmentSettings)
class AssessmentSettingsAdmin(admin.ModelAdmin):
    """年终考核 weights: one row, edited here (tracker/bulletin/figures.py reads it)."""

    def has_add_permission(self, request):
        return not models.AssessmentSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.BulletinMail)
class BulletinMailAdmin(admin.ModelAdmin):
    list_display = ["month", "recipient", "sent_at", "attempts", "last_error"]
    list_filter = ["month"]


@admin.register(models.UnitChannel)
class UnitChannelAdmin(admin.ModelAdmin):
    """The units' notification channels: the unit mailbox or a 企业微信 / 钉钉 group robot."""

    list_display = ["unit", "kind", "format", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["unit__name"]


@admin.register(models.ChannelDelivery)
class ChannelDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "code", "status", "attempts", "last_error"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in models.ChannelDelivery._meta.fields]
