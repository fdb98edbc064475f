"""Messages the platform sends to people: the in-app inbox, and the outbox of the default SMS backend."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Outbox(models.Model):
    """A text message as the default SMS backend keeps it instead of delivering it: the demo and the tests
    read what was "sent" here. A real gateway backend does not write to it."""

    phone = models.CharField(_("手机号"), max_length=20, db_index=True)
    text = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("短信发件箱")
        verbose_name_plural = _("短信发件箱")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.phone} @ {self.created_at:%Y-%m-%d %H:%M}"


class Notice(models.Model):
    """An in-app message (站内消息) in one person's inbox: what changed, and where to look."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    title = models.CharField(_("标题"), max_length=120)
    body = models.CharField(_("内容"), max_length=500, blank=True)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notice_user_read_idx"),
            models.Index(fields=["user", "created_at"], name="notice_user_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title}"
