from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: National defaults, used where a district has set no policy of its own.
DEFAULT_COVERAGE_THRESHOLD = Decimal("0.900")
DEFAULT_NEED_RESPOND_HOURS = 24
DEFAULT_NEED_RESOLVE_DAYS = 7
DEFAULT_CLAIM_LAPSE_DAYS = 3


class Policy(models.Model):
    """A district's rules from a start date on. Numbers that differ between places live here, not in code."""

    district = models.ForeignKey(
        "org.Region",
        on_delete=models.CASCADE,
        related_name="policies",
        limit_choices_to={"level": "district"},
    )
    effective_from = models.DateField(_("生效日期"))
    coverage_threshold = models.DecimalField(
        _("报到率达标线"),
        max_digits=4,
        decimal_places=3,
        default=DEFAULT_COVERAGE_THRESHOLD,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    # residents' wishes and requests: the community answers (publishes, assigns or declines) within hours,
    # and the need is resolved within days; a claim not reported done within days lapses
    need_respond_hours = models.PositiveIntegerField(
        _("需求响应时限（小时）"),
        default=DEFAULT_NEED_RESPOND_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
    )
    need_resolve_days = models.PositiveIntegerField(
        _("需求办结时限（天）"),
        default=DEFAULT_NEED_RESOLVE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    claim_lapse_days = models.PositiveIntegerField(
        _("认领未办结失效（天）"),
        default=DEFAULT_CLAIM_LAPSE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("政策")
        verbose_name_plural = _("政策")
        ordering = ["district", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["district", "effective_from"], name="policy_one_per_start_date"),
        ]

    def __str__(self) -> str:
        return gettext("%(district)s 自 %(date)s") % {"district": self.district, "date": self.effective_from}
