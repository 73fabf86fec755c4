"""Working-day exceptions, worker heartbeats, reset requests and claimed form submissions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class PasswordResetRequest(models.Model):
    """One request for a password-reset e-mail, kept to throttle them per e-mail address and
    per client address (config/password_reset.py); rows older than a day are deleted."""

    email = models.CharField(max_length=254, db_index=True)  # as entered, lower-cased
    ip_address = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("重置密码请求")
        verbose_name_plural = _("重置密码请求")

    def __str__(self):
        return f"{self.email} {self.ip_address} {self.at:%Y-%m-%d %H:%M:%S}"


class Submission(models.Model):
    """A form submission already processed (tracker/tracking/once.py): its one-time token,
    whose it was and where its first processing sent the user. A second POST of the same
    token is not processed again; it is sent to `outcome`. Rows outlive the tokens' validity
    only briefly and are then deleted."""

    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("已处理的提交")
        verbose_name_plural = _("已处理的提交")

    def __str__(self):
        return f"{self.user_id} {self.key}"
