"""Messages the platform sends to people. Only the outbox of the default SMS backend lives here."""

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
