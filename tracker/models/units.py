"""Units (organisations that own work) and the people who sign in."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gazette.text import fold_name


class Unit(models.Model):
    class Kind(models.TextChoices):
        CITY_DEPARTMENT = "department", _("部门")
        TOWN = "town", _("镇/街道")
        COUNTY = "county", _("县/区")
        ENTERPRISE = "enterprise", _("企业")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=200, unique=True)
    short_name = models.CharField(_("简称"), max_length=100, blank=True)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    email = models.EmailField(_("单位邮箱"), blank=True)
    # 分管领导: copied on the unit's 督办单.
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("分管领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_units",
        limit_choices_to={"role": "leader"},
    )
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


class UnitGroupQuerySet(models.QuerySet):
    def reaching(self, unit):
        """The groups an item owned by reaches this unit through (explicit member or kind)."""
        if unit is None:
            return self.none()
        return self.filter(Q(members=unit) | Q(member_kind=unit.kind, member_kind__gt=""))


class UnitGroup(models.Model):
    """A collective owner (各镇(街道), 市直各部门): defined once, it reaches every member.

    Members are the units listed, plus every unit of `member_kind` when one is set, so a
    group such as 各镇(街道) stays right when a town is added to the register.
    """

    name = models.CharField(_("名称"), max_length=200, unique=True)
    key = models.CharField(max_length=200, unique=True, editable=False)
    member_kind = models.CharField(
        _("包含该类别的全部单位"), max_length=20, choices=Unit.Kind.choices, blank=True
    )
    members = models.ManyToManyField(
        Unit, verbose_name=_("成员单位"), blank=True, related_name="unit_groups"
    )
    history = HistoricalRecords()

    objects = UnitGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位组")
        verbose_name_plural = _("单位组")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.key = fold_name(self.name)
        super().save(*args, **kwargs)

    def member_units(self):
        query = Q(pk__in=self.members.values("pk"))
        if self.member_kind:
            query |= Q(kind=self.member_kind)
        return Unit.objects.filter(query).order_by("name")


class User(AbstractUser):
    class Role(models.TextChoices):
        STAFF = "staff", _("部门工作人员")
        UNIT_HEAD = "unit_head", _("部门负责人")
        SUPERVISOR = "supervisor", _("督查室")
        LEADER = "leader", _("领导")
        ADMIN = "admin", _("管理员")

    class Timing(models.TextChoices):
        """How a user wants their notices: each at once, or one digest a day."""

        IMMEDIATE = "immediate", _("即时发送")
        DIGEST = "digest", _("每日汇总")

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.STAFF)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    delivery = models.CharField(
        _("提醒方式"), max_length=20, choices=Timing.choices, default=Timing.IMMEDIATE
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
            self.Role.SUPERVISOR,
            self.Role.LEADER,
            self.Role.ADMIN,
        }

    @property
    def manages_items(self):
        return self.is_superuser or self.role in {self.Role.SUPERVISOR, self.Role.ADMIN}
