"""Activation codes: how a person whose account has no password yet (created by a roster import or by an
admin without a password) sets its first one. See `services.py` for the rules."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    ADMIN = "admin", _("管理员发放")
    SMS = "sms", _("短信申请")


class ActivationCode(models.Model):
    """One 8-digit code for one person. Only its keyed hash is stored; the code is shown (or texted) once.

    A code is live while it is neither used nor revoked nor expired; a person has at most one live code
    (issuing a new one revokes the old)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    channel = models.CharField(_("发放方式"), max_length=10, choices=Channel.choices)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("发放时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("激活码")
        verbose_name_plural = _("激活码")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True),
                name="activation_one_open_code_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"activation code #{self.pk} of {self.user_id}"


class AttemptKind(models.TextChoices):
    REQUEST = "request", _("申请短信激活码")
    REDEEM = "redeem", _("输入激活码")


class ActivationAttempt(models.Model):
    """One try per row, keyed by the phone number as typed (known or not, so that limits say nothing about
    which numbers exist): requests for a code by SMS, and redemptions. Rows older than a day are pruned.

    `counted` is cleared for a try refused because the number was over its limit, and for a redemption that
    succeeded: neither counts against the next try."""

    phone = models.CharField(max_length=20)
    kind = models.CharField(max_length=10, choices=AttemptKind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    counted = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("激活尝试")
        verbose_name_plural = _("激活尝试")
        indexes = [models.Index(fields=["phone", "kind", "at"], name="activation_attempt_phone_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.phone} @ {self.at:%Y-%m-%d %H:%M}"
