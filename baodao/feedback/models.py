"""反馈函: the letter a district or street sends each of its units about a period — for every member on the
unit's roster, registration, services, hours, grade and the community's comment. The letter itself is drawn
from live figures whenever it is read (`selectors.feedback_letter`); a `FeedbackLetter` row records that it
was sent, by whom, and the counts it carried then. A `Reminder` records a unit's one-click reminder to the
members who have not registered, or not served, in a period."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedbackLetter(models.Model):
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="feedback_letters", verbose_name=_("单位")
    )
    #: "2026Q3" or "2026" (`baodao.lib.periods`)
    period = models.CharField(_("统计期"), max_length=8)
    #: the district or street that sent it
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("发函区域")
    )
    sent_at = models.DateTimeField(_("发送时间"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    #: the counts as sent: on the roster, registered at the period's end, registered and served in it
    members = models.PositiveIntegerField(_("在册党员"))
    registered = models.PositiveIntegerField(_("已报到"))
    served = models.PositiveIntegerField(_("本期服务"))

    class Meta:
        verbose_name = _("反馈函")
        verbose_name_plural = _("反馈函")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="feedback_letter_once_per_unit_period"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period}"


class Who(models.TextChoices):
    UNREGISTERED = "unregistered", _("未报到")
    UNSERVED = "unserved", _("本期未服务")


class Reminder(models.Model):
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    who = models.CharField(_("提醒对象"), max_length=12, choices=Who.choices)
    period = models.CharField(_("统计期"), max_length=8)
    count = models.PositiveIntegerField(_("提醒人数"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("提醒时间"))

    class Meta:
        verbose_name = _("一键提醒")
        verbose_name_plural = _("一键提醒")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["unit", "who", "period", "at"], name="reminder_unit_who_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.who} {self.period}"
