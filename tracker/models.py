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
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gazette.text import fold_name

# An item counts as at risk when its due date is this close and it is not done.
AT_RISK_DAYS = 7


class Unit(models.Model):
    class Kind(models.TextChoices):
        CITY_DEPARTMENT = "department", _("市直部门")
        COUNTY = "county", _("县(市、区)")
        TOWN = "town", _("镇(街道)")
        ENTERPRISE = "enterprise", _("企业")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=200, unique=True)
    short_name = models.CharField(_("简称"), max_length=100, blank=True)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="children",
    )
    email = models.EmailField(_("单位邮箱"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["name"]

    def __str__(self):
        return self.name


class UnitAlias(models.Model):
    """Another name a document uses for a unit (市发改委 for 市发展改革委)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="aliases"
    )
    name = models.CharField(_("别名"), max_length=200)
    # The folded form (no spaces, one kind of brackets) is what matching uses.
    key = models.CharField(max_length=200, unique=True, editable=False)

    class Meta:
        verbose_name = _("单位别名")
        verbose_name_plural = _("单位别名")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} → {self.unit}"

    def save(self, *args, **kwargs):
        self.key = fold_name(self.name)
        super().save(*args, **kwargs)


class User(AbstractUser):
    class Role(models.TextChoices):
        STAFF = "staff", _("部门工作人员")
        UNIT_HEAD = "unit_head", _("部门负责人")
        SUPERVISOR = "supervisor", _("督查室")
        LEADER = "leader", _("领导")
        ADMIN = "admin", _("管理员")

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", _("即时发送")
        DIGEST = "digest", _("每日汇总")

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.STAFF)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所属单位"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="members",
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    delivery = models.CharField(
        _("提醒方式"), max_length=20, choices=Delivery.choices, default=Delivery.IMMEDIATE
    )
    language = models.CharField(
        _("语言"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            # Department staff and unit heads act for a unit; they cannot exist without one.
            models.CheckConstraint(
                condition=~Q(role__in=["staff", "unit_head"]) | Q(unit__isnull=False),
                name="unit_role_has_unit",
            ),
        ]

    def __str__(self):
        return self.display_name or self.username

    @property
    def is_unit_member(self):
        return self.role in {self.Role.STAFF, self.Role.UNIT_HEAD}

    @property
    def sees_everything(self):
        return self.is_superuser or self.role in {
            self.Role.SUPERVISOR, self.Role.LEADER, self.Role.ADMIN
        }

    @property
    def manages_items(self):
        return self.is_superuser or self.role in {self.Role.SUPERVISOR, self.Role.ADMIN}


class SourceFile(models.Model):
    """An uploaded file as received; its documents are SourceDocuments."""

    name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveIntegerField(_("大小(字节)"))
    text = models.TextField(_("文本"))
    gazette_title = models.CharField(_("公报名称"), max_length=200, blank=True)
    gazette_issue = models.CharField(_("期号"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("来源文件")
        verbose_name_plural = _("来源文件")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.name


class SourceDocument(models.Model):
    source_file = models.ForeignKey(
        SourceFile, verbose_name=_("来源文件"), on_delete=models.PROTECT, related_name="documents"
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    # 文号 folded to one bracket style and no spaces: 晋市政办[2024]12号 = 晋市政办〔2024〕12号.
    doc_number_key = models.CharField(max_length=100, blank=True, db_index=True, editable=False)
    title = models.CharField(_("标题"), max_length=500)
    issuer = models.CharField(_("发文机关"), max_length=200, blank=True)
    signed_on = models.DateField(_("成文日期"), null=True, blank=True)
    line_start = models.PositiveIntegerField(_("起始行"))
    line_end = models.PositiveIntegerField(_("结束行"))
    text = models.TextField(_("正文"))
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("来源文档")
        verbose_name_plural = _("来源文档")
        ordering = ["-signed_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["doc_number_key"], condition=~Q(doc_number_key=""),
                name="unique_doc_number",
            ),
            models.CheckConstraint(
                condition=Q(line_end__gte=models.F("line_start")), name="document_lines_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.title}（{self.doc_number}）" if self.doc_number else self.title

    def save(self, *args, **kwargs):
        self.doc_number_key = fold_name(self.doc_number)
        super().save(*args, **kwargs)


class Tag(models.Model):
    name = models.CharField(_("标签"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("标签")
        verbose_name_plural = _("标签")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one rule of who sees which item: unit members see their unit's items only."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        if user.unit_id is None:
            return self.none()
        return self.filter(
            pk__in=ItemOwner.objects.filter(
                unit_id=user.unit_id,
                role__in=[ItemOwner.Role.LEAD, ItemOwner.Role.CO, ItemOwner.Role.RESPONSIBLE],
            ).values("item_id")
        )

    def with_state(self, today=None):
        """Annotate `state`: done, overdue, at_risk, on_track or undated, from dates alone."""
        today = today or timezone.localdate()
        done = Q(status=Item.Status.COMPLETED)
        return self.annotate(
            state=models.Case(
                models.When(done, then=models.Value(Item.State.DONE)),
                models.When(due_date__isnull=True, then=models.Value(Item.State.UNDATED)),
                models.When(due_date__lt=today, then=models.Value(Item.State.OVERDUE)),
                models.When(
                    due_date__lte=today + datetime.timedelta(days=AT_RISK_DAYS),
                    then=models.Value(Item.State.AT_RISK),
                ),
                default=models.Value(Item.State.ON_TRACK),
                output_field=models.CharField(),
            )
        )


class Item(models.Model):
    class Kind(models.TextChoices):
        TASK = "task", _("工作任务")
        PROJECT = "project", _("重点项目")
        REPORT = "report", _("报送事项")
        ADHOC = "adhoc", _("交办事项")

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
        SourceDocument, verbose_name=_("来源文档"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="items",
    )
    ref = models.CharField(_("编号"), max_length=50, blank=True, help_text=_("如 二.(一).3"))
    section = models.CharField(_("所属章节"), max_length=500, blank=True)
    text = models.TextField(_("任务内容"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.TASK)
    line_start = models.PositiveIntegerField(_("起始行"), null=True, blank=True)
    line_end = models.PositiveIntegerField(_("结束行"), null=True, blank=True)
    # Extra columns of table rows (建设地点, 层级, ...) as written.
    fields = models.JSONField(_("其他字段"), default=dict, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("标签"), blank=True, related_name="items")
    status = models.CharField(
        _("状态"), max_length=30, choices=Status.choices, default=Status.NEW, db_index=True
    )
    percent = models.PositiveSmallIntegerField(
        _("完成进度(%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    due_date = models.DateField(_("完成时限"), null=True, blank=True, db_index=True)
    grade = models.CharField(_("评定等次"), max_length=1, choices=Grade.choices, blank=True)
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Optimistic locking: a save names the version it started from; a mismatch is a conflict.
    version = models.PositiveIntegerField(_("版本"), default=1)
    history = HistoricalRecords()

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

    def state_on(self, today=None):
        """The same rule as ItemQuerySet.with_state, for one loaded item."""
        today = today or timezone.localdate()
        if self.status == self.Status.COMPLETED:
            return self.State.DONE
        if self.due_date is None:
            return self.State.UNDATED
        if self.due_date < today:
            return self.State.OVERDUE
        if self.due_date <= today + datetime.timedelta(days=AT_RISK_DAYS):
            return self.State.AT_RISK
        return self.State.ON_TRACK

    def refresh_due_date(self):
        """The final due date is the latest dated deadline (None when all work is ongoing)."""
        latest = self.deadlines.exclude(date__isnull=True).aggregate(m=models.Max("date"))["m"]
        self.due_date = latest
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
        Unit, verbose_name=_("单位"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="item_roles",
    )
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


class ItemPerson(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("责任领导")
        OFFICE = "office", _("责任科室")
        PERSON = "person", _("责任人")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="people")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    name = models.CharField(_("文中名称"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="item_roles",
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
    date = models.DateField(_("日期"), null=True, blank=True, db_index=True)
    # '' for a one-off date; 'monthly:25' (每月25日前), 'quarterly', 'weekly', ...
    recurrence = models.CharField(_("周期"), max_length=50, blank=True)
    what = models.CharField(_("事项"), max_length=200, blank=True)
    ongoing = models.BooleanField(_("长期推进"), default=False)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    history = HistoricalRecords()

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

    def __str__(self):
        return f"{self.expr or self.what} → {self.date or '—'}"


def evidence_path(instance, filename):
    return f"evidence/{timezone.now():%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class ProgressReport(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reports")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT,
        related_name="progress_reports",
    )
    created_at = models.DateTimeField(_("填报时间"), default=timezone.now, db_index=True)
    percent = models.PositiveSmallIntegerField(
        _("完成进度(%)"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    narrative = models.TextField(_("进展情况"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    confirmed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100), name="report_percent_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.item_id} {self.created_at:%Y-%m-%d} {self.percent}%"


class Evidence(models.Model):
    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="evidence", null=True, blank=True
    )
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="evidence")
    # Evidence filed with a completion request (申请办结) rather than with a progress report.
    request = models.ForeignKey(
        "Request", on_delete=models.CASCADE, related_name="evidence", null=True, blank=True
    )
    file = models.FileField(_("文件"), upload_to=evidence_path)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小(字节)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class Request(models.Model):
    """An extension (延期) or completion (申请办结) request awaiting the supervision office."""

    class Kind(models.TextChoices):
        EXTENSION = "extension", _("申请延期")
        COMPLETION = "completion", _("申请办结")

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已同意")
        REJECTED = "rejected", _("已退回")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    reason = models.TextField(_("理由"))
    new_date = models.DateField(_("申请延期至"), null=True, blank=True)
    decision = models.CharField(
        _("审核结果"), max_length=20, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("申请")
        verbose_name_plural = _("申请")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="extension") | Q(new_date__isnull=False),
                name="extension_has_new_date",
            ),
            # One open request of each kind per item at a time.
            models.UniqueConstraint(
                fields=["item", "kind"], condition=Q(decision="pending"),
                name="one_pending_request_per_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.item_id}"


class Comment(models.Model):
    """Remarks on an item: leaders' instructions (批示), urging notices (催办) and notes."""

    class Kind(models.TextChoices):
        NOTE = "note", _("备注")
        INSTRUCTION = "instruction", _("领导批示")
        URGE = "urge", _("催办")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="comments")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.NOTE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    text = models.TextField(_("内容"))

    class Meta:
        verbose_name = _("批示与催办")
        verbose_name_plural = _("批示与催办")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.item_id}"


class Holiday(models.Model):
    """A day that differs from the calendar the chinesecalendar package knows."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(
        _("调休上班"), default=False, help_text=_("勾选表示这一天是调休工作日，否则为放假日")
    )
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class Heartbeat(models.Model):
    """When the Celery worker and beat last proved they are alive (for /healthz)."""

    name = models.CharField(max_length=50, unique=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("心跳")
        verbose_name_plural = _("心跳")

    def __str__(self):
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"


# --- Import: an uploaded file on its way from parse to preview to tracked items ------------


class ImportJob(models.Model):
    """One upload by the supervision office: parsed by a worker, previewed, then confirmed.

    The bytes stay here until the import is confirmed, so the web worker only stores the
    upload and the Celery task (tracker.tasks.parse_import) does the slow part.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        PARSING = "parsing", _("解析中")
        READY = "ready", _("待确认")
        FAILED = "failed", _("解析失败")
        CONFIRMED = "confirmed", _("已导入")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("大小(字节)"))
    data = models.BinaryField(_("文件内容"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    stage = models.CharField(_("当前步骤"), max_length=100, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    # The text the parser read; line numbers in the preview refer to it.
    text = models.TextField(_("文本"), blank=True)
    preview = models.JSONField(_("预览"), default=dict, blank=True)
    result = models.JSONField(_("导入结果"), default=dict, blank=True)
    source_file = models.ForeignKey(
        SourceFile, verbose_name=_("来源文件"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="import_jobs",
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"


# ---------------------------------------------------------------------------------------------
# Reminders (tracker/reminders.py decides what is due, tracker/notify.py sends it).
#
# Exactly once: a Reminder is keyed by (item, deadline, rule, date) under a unique constraint;
# each of its recipients gets one Notice (unique per reminder and user); a Notice is attached to
# exactly one Delivery (one e-mail to one person) by a conditional UPDATE, and a Delivery is
# sent by whoever claims it with a conditional UPDATE (as healthchecks claims its alerts).
# ---------------------------------------------------------------------------------------------


def _default_send_time():
    return datetime.time(8, 30)


def _default_quiet_time():
    return datetime.time(20, 0)


def _default_digest_time():
    return datetime.time(17, 0)


def _validate_day_list(value):
    from django.core.exceptions import ValidationError

    try:
        days = [int(part) for part in value.replace("，", ",").split(",") if part.strip()]
    except ValueError:
        raise ValidationError(_("请填写以逗号分隔的工作日数，如 7,3,1,0")) from None
    if any(day < 0 or day > 60 for day in days):
        raise ValidationError(_("工作日数应在 0 到 60 之间"))


class ReminderSettings(models.Model):
    """The reminder rules, one row (pk=1) the supervision office edits in the admin."""

    enabled = models.BooleanField(_("启用提醒"), default=True)
    send_time = models.TimeField(_("发送时间"), default=_default_send_time,
                                 help_text=_("工作日的这一时刻起发送当日提醒(北京时间)"))
    quiet_time = models.TimeField(_("停止发送时间"), default=_default_quiet_time,
                                  help_text=_("此后至次日发送时间不发任何邮件"))
    digest_time = models.TimeField(_("每日汇总时间"), default=_default_digest_time)
    before_days = models.CharField(
        _("到期前提醒(工作日)"), max_length=50, default="7,3,1,0",
        validators=[_validate_day_list], help_text=_("逗号分隔；0 表示到期当天"),
    )
    overdue_daily_days = models.PositiveSmallIntegerField(
        _("逾期后每日提醒天数"), default=3, help_text=_("逾期后前几个工作日每天提醒")
    )
    overdue_every_days = models.PositiveSmallIntegerField(
        _("此后每隔工作日数提醒"), default=5, validators=[MinValueValidator(1)],
        help_text=_("5 个工作日即每周一次"),
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("逾期多少个工作日后升级"), default=5, validators=[MinValueValidator(1)],
        help_text=_("升级提醒发给责任领导和督查室"),
    )
    report_day = models.PositiveSmallIntegerField(
        _("默认每月报送日"), default=25, validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("没有自己报送周期的事项，每月此日前报送进展"),
    )
    report_before_days = models.CharField(
        _("报送前提醒(工作日)"), max_length=50, default="5,3,1,0",
        validators=[_validate_day_list],
        help_text=_("报送日前几个工作日提醒；逾期未报的次一工作日再提醒一次"),
    )
    weekly_digest_weekday = models.PositiveSmallIntegerField(
        _("每周汇总星期"), default=1, validators=[MinValueValidator(1), MaxValueValidator(7)],
        help_text=_("1 为星期一；遇节假日顺延至本周第一个工作日"),
    )
    catch_up_days = models.PositiveSmallIntegerField(
        _("补发天数"), default=7, validators=[MaxValueValidator(60)],
        help_text=_("系统停机后恢复时，补发此前多少天内应发未发的提醒"),
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("最多发送次数"), default=5, validators=[MinValueValidator(1)]
    )
    retry_backoff_seconds = models.PositiveIntegerField(
        _("重试间隔(秒)"), default=300, help_text=_("每次失败后间隔加倍")
    )
    claim_timeout_seconds = models.PositiveIntegerField(
        _("发送超时(秒)"), default=600,
        help_text=_("领取发送任务的进程在此时间内未完成，视为中断，由下一次运行接手"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("提醒规则")
        verbose_name_plural = _("提醒规则")

    def __str__(self):
        return str(_("提醒规则"))

    @classmethod
    def load(cls):
        rules, _created = cls.objects.get_or_create(pk=1)
        return rules

    @staticmethod
    def day_list(value):
        return sorted({int(p) for p in value.replace("，", ",").split(",") if p.strip()},
                      reverse=True)


class Reminder(models.Model):
    """One reminder that fell due: (item, deadline, rule, date) happens at most once."""

    class Rule(models.TextChoices):
        BEFORE = "before", _("到期前提醒")
        DUE = "due", _("到期当日提醒")
        OVERDUE = "overdue", _("逾期提醒")
        ESCALATION = "escalation", _("逾期升级")
        REPORT = "report", _("进展报送提醒")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reminders")
    # None for an item's own due date without Deadline rows and for the default report cycle.
    deadline = models.ForeignKey(
        Deadline, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    rule = models.CharField(_("规则"), max_length=20, choices=Rule.choices)
    # Working days before (positive) or after (negative) the date due.
    offset = models.SmallIntegerField(_("相差工作日"), default=0)
    due_on = models.DateField(_("应完成日期"))
    date = models.DateField(_("提醒日期"), db_index=True)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    # False until its Notices (one per recipient) exist.
    fanned_out = models.BooleanField(default=False, db_index=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-date", "item_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "deadline", "rule", "date"], condition=Q(deadline__isnull=False),
                name="unique_reminder_per_deadline",
            ),
            models.UniqueConstraint(
                fields=["item", "rule", "date"], condition=Q(deadline__isnull=True),
                name="unique_reminder_per_item",
            ),
            # An escalation happens once per date due, whichever day first finds it late.
            models.UniqueConstraint(
                fields=["item", "deadline", "due_on"],
                condition=Q(rule="escalation", deadline__isnull=False),
                name="one_escalation_per_deadline",
            ),
            models.UniqueConstraint(
                fields=["item", "due_on"], condition=Q(rule="escalation", deadline__isnull=True),
                name="one_escalation_per_item",
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.get_rule_display()} {self.item_id}"

    @property
    def days(self):
        """Working days before or after the date due, without the sign (for the e-mails)."""
        return abs(self.offset)


class Delivery(models.Model):
    """One e-mail to one person, listing all their reminders of a run (or a digest)."""

    class Kind(models.TextChoices):
        IMMEDIATE = "immediate", _("即时提醒")
        DAILY = "daily", _("每日汇总")
        WEEKLY = "weekly", _("每周汇总")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        SKIPPED = "skipped", _("无需发送")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("收件人"), on_delete=models.CASCADE,
        related_name="deliveries",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    period = models.DateField(_("日期"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    # The claim: a sender sets these with a conditional UPDATE and acts only if it won.
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    subject = models.CharField(_("主题"), max_length=300, blank=True)
    address = models.EmailField(_("收件地址"), blank=True)

    class Meta:
        verbose_name = _("邮件发送")
        verbose_name_plural = _("邮件发送")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Digests are one per person per day / week; immediate mails one per run.
            models.UniqueConstraint(
                fields=["recipient", "kind", "period"], condition=~Q(kind="immediate"),
                name="one_digest_per_period",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient_id} {self.period}"


class Notice(models.Model):
    """A reminder for one recipient; `delivery` is the e-mail that carries it (None: not yet)."""

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("收件人"), on_delete=models.CASCADE,
        related_name="notices",
    )
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices"
    )

    class Meta:
        verbose_name = _("提醒收件人")
        verbose_name_plural = _("提醒收件人")
        ordering = ["-reminder__date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["reminder", "recipient"], name="unique_notice"),
        ]
        indexes = [models.Index(fields=["recipient", "delivery"])]

    def __str__(self):
        return f"{self.reminder} → {self.recipient_id}"


class ReminderSweep(models.Model):
    """A day's sweep: started, finished (None if it died; the next tick runs it again)."""

    date = models.DateField(_("日期"), unique=True)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    reminders = models.PositiveIntegerField(_("新增提醒"), default=0)
    notices = models.PositiveIntegerField(_("新增收件"), default=0)

    class Meta:
        verbose_name = _("提醒扫描")
        verbose_name_plural = _("提醒扫描")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date}"
