"""Tracked items, their owners, people and deadlines; the one rule for an item's state."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker.lib.plausible import PlausibleDateValidator
from tracker.models.documents import SourceDocument, Tag
from tracker.models.units import Unit, UnitGroup

# An item counts as at risk when its due date is this close and it is not done.
AT_RISK_DAYS = 7


class ItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one rule of who sees which item: unit members see their unit's items only."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        if user.unit_id is None:
            return self.none()
        # Named on the item, or a member of a unit group named on it (各镇(街道) ...).
        groups = UnitGroup.objects.reaching(user.unit).values("pk")
        return self.filter(
            pk__in=ItemOwner.objects.filter(
                Q(unit_id=user.unit_id) | Q(group__in=groups),
                role__in=[ItemOwner.Role.LEAD, ItemOwner.Role.CO, ItemOwner.Role.RESPONSIBLE],
            ).values("item_id")
        )

    def active(self):
        """Items not withdrawn (撤销): what lists, dashboards and reminders hold."""
        return self.filter(withdrawn_at__isnull=True)

    def with_state(self, today=None):
        """Annotate `state`: done, overdue, at_risk, on_track or undated.

        The state compares the stored `next_due` column (the earliest date the item still
        owes: its first open dated deadline, a milestone such as a 一季度 node not marked
        done, or its final due date, whichever comes first; for a split item (分解) also what
        its open sub-items (neither done nor withdrawn) owe; kept by the database triggers of
        tracker.models.next_due) with today: overdue as soon as that date has passed, at risk
        within AT_RISK_DAYS. The reminder e-mails chase every open dated deadline, and the
        lists, the workbench and the dashboards say the same. `Item.state_on` is this rule
        for one loaded item.
        """
        today = today or timezone.localdate()
        soon = today + datetime.timedelta(days=AT_RISK_DAYS)
        return self.annotate(
            state=models.Case(
                models.When(status=Item.Status.COMPLETED, then=models.Value(Item.State.DONE)),
                models.When(next_due__isnull=True, then=models.Value(Item.State.UNDATED)),
                models.When(next_due__lt=today, then=models.Value(Item.State.OVERDUE)),
                models.When(next_due__lte=soon, then=models.Value(Item.State.AT_RISK)),
                default=models.Value(Item.State.ON_TRACK),
                output_field=models.CharField(),
            ),
        )

    def refresh_next_due(self):
        """Recompute the stored next_due of these items: writing the column makes the
        database triggers (tracker.models.next_due) put the rule's value back. For rows
        written with the triggers off (a restore from a dump taken without them)."""
        return self.update(next_due=None)


def owes_before(day):
    """Q: the item still owes a date before `day` (its due date or an open dated deadline);
    with_state's overdue test for an item not completed, reusable without the state CASE."""
    return Q(next_due__lt=day)


class Item(models.Model):
    class Kind(models.TextChoices):
        TASK = "task", _("工作任务")
        PROJECT = "project", _("重点项目")
        REPORT = "report", _("报送事项")
        ADHOC = "adhoc", _("交办事项")
        INSTRUCTION = "instruction", _("批示件")

    class Status(models.TextChoices):
        NEW = "new", _("待签收")
        IN_PROGRESS = "in_progress", _("办理中")
        COMPLETION_REQUESTED = "completion_requested", _("申请办结")
        COMPLETED = "completed", _("已办结")

    class State(models.TextChoices):
        """Derived from dates by ItemQuerySet.with_state / Item.state; never stored."""

        DONE = "done", _("已完成")
        OVERDUE = "overdue", _("已逾期")
        AT_RISK = "at_risk", _("临期")
        ON_TRACK = "on_track", _("正常推进")
        UNDATED = "undated", _("长期推进")

    class Grade(models.TextChoices):
        A = "A", _("A 优秀")
        B = "B", _("B 良好")
        C = "C", _("C 合格")
        D = "D", _("D 不合格")

    document = models.ForeignKey(
        SourceDocument,
        verbose_name=_("来源文档"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    ref = models.CharField(_("编号"), max_length=50, blank=True, help_text=_("如 二.(一).3"))
    section = models.CharField(_("所属章节"), max_length=500, blank=True)
    text = models.TextField(_("任务内容"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.TASK)
    line_start = models.PositiveIntegerField(_("起始行"), null=True, blank=True)
    line_end = models.PositiveIntegerField(_("结束行"), null=True, blank=True)
    # Extra columns of table rows (建设地点, 层级, ...) as written.
    fields = models.JSONField(_("其他字段"), default=dict, blank=True)
    # What the parser said at the last confirmed import (text, owners by role, written due
    # date): the base of the three-way merge on re-import (tracker.imports.merge).
    parsed = models.JSONField(_("解析原值"), default=dict, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("标签"), blank=True, related_name="items")
    status = models.CharField(
        _("状态"), max_length=30, choices=Status.choices, default=Status.NEW, db_index=True
    )
    percent = models.PositiveSmallIntegerField(
        _("完成进度(%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    due_date = models.DateField(
        _("完成时限"), null=True, blank=True, db_index=True, validators=[PlausibleDateValidator()]
    )
    # A 领导批示 with a deadline becomes an item of its own (批示件) on the item it was given
    # on (instruction.item), tracked like any item, with its own feedback
    # (tracker/tracking/instructions.py). Not a 分解 child: nothing rolls up into that item.
    instruction = models.OneToOneField(
        "tracker.Comment",
        verbose_name=_("领导批示"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sub_item",
    )
    # The due date is the document's default (默认期限), not a date the document wrote.
    due_is_default = models.BooleanField(_("默认期限"), default=False)
    # The earliest date the item still owes: min(its first open dated deadline, due_date).
    # Written by the database only (triggers of tracker.models.next_due, on every insert,
    # update and delete of items and deadlines); with_state() and the lights compare it.
    next_due = models.DateField(
        _("最近应完成日期"), null=True, blank=True, editable=False, db_index=True
    )
    grade = models.CharField(_("评定等次"), max_length=1, choices=Grade.choices, blank=True)
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # 分解: a sub-task of another item; the parent's percent, state and completion roll up
    # from its sub-items (tracker.tracking.editing.roll_up, ItemQuerySet.with_state).
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # 撤销: withdrawn by the office, with a reason; out of lists, dashboards and reminders,
    # still viewable with its history, and restorable.
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True, db_index=True)
    withdrawn_reason = models.CharField(_("撤销理由"), max_length=500, blank=True)
    # Optimistic locking: a save names the version it started from; a mismatch is a conflict.
    version = models.PositiveIntegerField(_("版本"), default=1)
    history = HistoricalRecords(excluded_fields=["next_due"])

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["document_id", "line_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100), name="item_percent_0_100"
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                name="item_completed_has_time",
            ),
            models.CheckConstraint(
                condition=Q(line_end__isnull=True)
                | Q(line_start__isnull=True)
                | Q(line_end__gte=models.F("line_start")),
                name="item_lines_ordered",
            ),
        ]

    def __str__(self):
        label = self.text if len(self.text) <= 40 else self.text[:40] + "…"
        return f"{self.ref} {label}".strip()

    @property
    def withdrawn(self):
        return self.withdrawn_at is not None

    @cached_property
    def has_open_children(self):
        """Split (分解) into sub-items not withdrawn: its progress rolls up from them."""
        return self.pk is not None and self.children.filter(withdrawn_at__isnull=True).exists()

    def next_due_on(self):
        """The earliest date the item still owes (see ItemQuerySet.with_state).

        The stored column when the item came from with_state() (read with the state, so it
        is the database's current value); else from its deadlines (prefetched ones when there
        are, one query otherwise), so that an item changed in memory is judged as it is now.
        """
        if hasattr(self, "state") or self.pk is None:
            return self.next_due if self.pk is not None else self.due_date
        dates = [d.date for d in self.deadlines.all() if d.date and not d.closed]
        children = self.children.filter(withdrawn_at__isnull=True).exclude(
            status=self.Status.COMPLETED
        )
        dates += [d for d in (child.next_due_on() for child in children) if d]
        candidates = [d for d in (min(dates, default=None), self.due_date) if d]
        return min(candidates, default=None)

    def state_on(self, today=None):
        """The same rule as ItemQuerySet.with_state, for one loaded item."""
        today = today or timezone.localdate()
        if self.status == self.Status.COMPLETED:
            return self.State.DONE
        due = self.next_due_on()
        if due is None:
            return self.State.UNDATED
        if due < today:
            return self.State.OVERDUE
        if due <= today + datetime.timedelta(days=AT_RISK_DAYS):
            return self.State.AT_RISK
        return self.State.ON_TRACK

    def refresh_due_date(self):
        """The final due date is the latest dated deadline (None when all work is ongoing)."""
        dated = self.deadlines.exclude(date__isnull=True)
        latest = dated.aggregate(m=models.Max("date"))["m"]
        self.due_date = latest
        # 默认期限 only when every deadline on that date is a default one.
        self.due_is_default = (
            latest is not None and not dated.filter(date=latest, is_default=False).exists()
        )
        return latest


class ItemOwner(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("牵头单位")
        CO = "co", _("配合单位")
        RESPONSIBLE = "responsible", _("责任单位")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="owners")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    name = models.CharField(_("文中名称"), max_length=200)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="item_roles",
    )
    # A collective owner (各镇(街道)): the item reaches every member of the group.
    group = models.ForeignKey(
        UnitGroup,
        verbose_name=_("单位组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="item_roles",
    )
    # The item named no owner: this one is the document's addressee (主送单位), by default.
    is_default = models.BooleanField(_("默认责任单位"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["item_id", "role", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "role", "name"], name="unique_item_owner"),
        ]
        indexes = [models.Index(fields=["unit", "role"])]

    def __str__(self):
        return f"{self.get_role_display()}：{self.name}"

    @property
    def linked(self):
        """Linked to a unit or a unit group; an unlinked owner shows as 未对应单位."""
        return self.unit_id is not None or self.group_id is not None


def lead_owner(field):
    """The item's lead owner (the first 牵头单位, else the first 责任单位): one of its fields,
    as a subquery. The per-unit dashboard counts each item under it; the item list's `lead`
    filter selects by it, so a drill-down shows the bar's count."""
    return Subquery(
        ItemOwner.objects.filter(
            item=OuterRef("pk"), role__in=[ItemOwner.Role.LEAD, ItemOwner.Role.RESPONSIBLE]
        )
        .order_by("role", "position")
        .values(field)[:1]  # "lead" sorts before "responsible"
    )


class ItemPerson(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("责任领导")
        OFFICE = "office", _("责任科室")
        PERSON = "person", _("责任人")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="people")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    name = models.CharField(_("文中名称"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="item_roles",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("责任人")
        verbose_name_plural = _("责任人")
        ordering = ["item_id", "role", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "role", "name"], name="unique_item_person"),
        ]
        indexes = [models.Index(fields=["role", "name"])]

    def __str__(self):
        return f"{self.get_role_display()}：{self.name}"


class Deadline(models.Model):
    class Kind(models.TextChoices):
        DEADLINE = "deadline", _("时限")
        MILESTONE = "milestone", _("节点")
        REPORT = "report", _("报送")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.DEADLINE)
    expr = models.CharField(_("原文表述"), max_length=100, blank=True)
    date = models.DateField(
        _("日期"), null=True, blank=True, db_index=True, validators=[PlausibleDateValidator()]
    )
    # '' for a one-off date; 'monthly:25' (每月25日前), 'quarterly', 'weekly', ...
    recurrence = models.CharField(_("周期"), max_length=50, blank=True)
    what = models.CharField(_("事项"), max_length=200, blank=True)
    ongoing = models.BooleanField(_("长期推进"), default=False)
    # Not written in the document: the default due date chosen on import (默认期限).
    is_default = models.BooleanField(_("默认期限"), default=False)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Closed without being done: an approved extension replaced this date (the new Deadline).
    superseded_at = models.DateTimeField(_("被延期取代时间"), null=True, blank=True)
    history = HistoricalRecords()

    # Open: neither done nor superseded (the sweep reminds open deadlines only).
    OPEN = Q(done_at__isnull=True, superseded_at__isnull=True)

    class Meta:
        verbose_name = _("时限")
        verbose_name_plural = _("时限")
        ordering = ["item_id", models.F("date").asc(nulls_last=True), "id"]
        constraints = [
            # Ongoing work (长期坚持) has no date by definition.
            models.CheckConstraint(
                condition=Q(ongoing=False) | Q(date__isnull=True), name="ongoing_has_no_date"
            ),
        ]
        indexes = [
            # with_state(): an item's first open dated deadline, one index probe per item.
            models.Index(
                fields=["item", "date"],
                name="deadline_open_by_item",
                condition=Q(done_at__isnull=True, date__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.expr or self.what} → {self.date or '—'}"

    @property
    def closed(self):
        """Done, or superseded by an approved extension: nothing reminds it any more."""
        return self.done_at is not None or self.superseded_at is not None
