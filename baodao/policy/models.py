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


class Period(models.TextChoices):
    QUARTER = "quarter", _("每季度")
    YEAR = "year", _("每年")


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
    # activities: attended time is rounded down to this step (e.g. 0.5 h)
    hours_rounding = models.DecimalField(
        _("时长取整单位（小时）"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(1))],
    )
    # points (积分), from the ledger: per verified hour, per confirmed need, a bonus for a rating of 4 or 5,
    # a deduction for a no-show; an optional cap on a member's points in a calendar year
    points_per_hour = models.DecimalField(
        _("每小时积分"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(10),
        validators=[MinValueValidator(0)],
    )
    points_per_need = models.DecimalField(
        _("每办结一项需求积分"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(5),
        validators=[MinValueValidator(0)],
    )
    points_rating_bonus = models.DecimalField(
        _("好评（4–5 星）加分"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(2),
        validators=[MinValueValidator(0)],
    )
    points_no_show = models.DecimalField(
        _("报名缺席扣分"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(5),
        validators=[MinValueValidator(0)],
    )
    points_yearly_cap = models.PositiveIntegerField(_("年度积分上限"), null=True, blank=True)
    # the minimum of verified service a registered member owes: at least `min_services` per period, and/or
    # at least `min_hours_per_year` hours a year (empty: no hours minimum)
    min_services = models.PositiveIntegerField(_("最少服务次数"), default=1)
    min_services_period = models.CharField(
        _("服务次数的统计周期"), max_length=10, choices=Period.choices, default=Period.QUARTER
    )
    min_hours_per_year = models.PositiveIntegerField(_("每年最少服务时长（小时）"), null=True, blank=True)
    #: 按需设岗: every registered member must hold at least one confirmed post (the community sees who
    #: holds none)
    posts_required = models.BooleanField(_("报到党员须至少认领一个岗位"), default=False)
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
