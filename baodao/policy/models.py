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
DEFAULT_REGISTRATION_DEADLINE_DAYS = 30
DEFAULT_RECONFIRM_MONTHS = 12
#: appraisal: score cut-offs on a 0–100 scale (a score at or above a cut-off earns that grade; below the
#: lowest: the last grade), the largest share of 优秀, and the weights of the five-way evaluation (五评)
DEFAULT_GRADE_CUTOFFS = (90, 70, 60)
DEFAULT_EXCELLENT_SHARE_MAX = Decimal("0.333")
DEFAULT_WEIGHTS = {"self": 10, "unit": 20, "residents": 30, "community": 30, "organisation": 10}
GRADE_NAME_MAX = 10


def default_grade_excellent_name() -> str:
    return gettext("优秀")


def default_grade_good_name() -> str:
    return gettext("合格")


def default_grade_basic_name() -> str:
    return gettext("基本合格")


def default_grade_poor_name() -> str:
    return gettext("不合格")


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
    # 报到: a member on a unit's roster registers within so many days; a registration is re-confirmed after
    # so many months
    registration_deadline_days = models.PositiveIntegerField(
        _("报到期限（天）"),
        default=DEFAULT_REGISTRATION_DEADLINE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    reconfirm_months = models.PositiveIntegerField(
        _("报到复核周期（月）"),
        default=DEFAULT_RECONFIRM_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    # appraisal grades (评价等次): the district may rename the four grades; a score (0–100) at or above a
    # cut-off earns the grade; at most `excellent_share_max` of those appraised may be rated the first grade
    grade_excellent_name = models.CharField(
        _("第一等次名称"), max_length=GRADE_NAME_MAX, default=default_grade_excellent_name
    )
    grade_good_name = models.CharField(
        _("第二等次名称"), max_length=GRADE_NAME_MAX, default=default_grade_good_name
    )
    grade_basic_name = models.CharField(
        _("第三等次名称"), max_length=GRADE_NAME_MAX, default=default_grade_basic_name
    )
    grade_poor_name = models.CharField(
        _("第四等次名称"), max_length=GRADE_NAME_MAX, default=default_grade_poor_name
    )
    grade_excellent_min = models.PositiveSmallIntegerField(
        _("第一等次最低分"), default=DEFAULT_GRADE_CUTOFFS[0], validators=[MaxValueValidator(100)]
    )
    grade_good_min = models.PositiveSmallIntegerField(
        _("第二等次最低分"), default=DEFAULT_GRADE_CUTOFFS[1], validators=[MaxValueValidator(100)]
    )
    grade_basic_min = models.PositiveSmallIntegerField(
        _("第三等次最低分"), default=DEFAULT_GRADE_CUTOFFS[2], validators=[MaxValueValidator(100)]
    )
    excellent_share_max = models.DecimalField(
        _("第一等次比例上限"),
        max_digits=4,
        decimal_places=3,
        default=DEFAULT_EXCELLENT_SHARE_MAX,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal(1))],
    )
    # 五评: the weights (percent, summing to 100) by which the five evaluations make up the score
    weight_self = models.PositiveSmallIntegerField(_("党员自评权重"), default=DEFAULT_WEIGHTS["self"])
    weight_unit = models.PositiveSmallIntegerField(_("单位评价权重"), default=DEFAULT_WEIGHTS["unit"])
    weight_residents = models.PositiveSmallIntegerField(
        _("群众评价权重"), default=DEFAULT_WEIGHTS["residents"]
    )
    weight_community = models.PositiveSmallIntegerField(
        _("社区评价权重"), default=DEFAULT_WEIGHTS["community"]
    )
    weight_organisation = models.PositiveSmallIntegerField(
        _("组织评价权重"), default=DEFAULT_WEIGHTS["organisation"]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("政策")
        verbose_name_plural = _("政策")
        ordering = ["district", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["district", "effective_from"], name="policy_one_per_start_date"),
            models.CheckConstraint(
                condition=models.Q(grade_excellent_min__lte=100)
                & models.Q(grade_excellent_min__gt=models.F("grade_good_min"))
                & models.Q(grade_good_min__gt=models.F("grade_basic_min")),
                name="policy_grade_cutoffs_decreasing",
            ),
            models.CheckConstraint(
                condition=models.Q(excellent_share_max__gt=0, excellent_share_max__lte=1),
                name="policy_excellent_share_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    weight_self=100
                    - models.F("weight_unit")
                    - models.F("weight_residents")
                    - models.F("weight_community")
                    - models.F("weight_organisation")
                ),
                name="policy_weights_sum_to_100",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(district)s 自 %(date)s") % {"district": self.district, "date": self.effective_from}

    @property
    def is_default(self) -> bool:
        """The national defaults: no row of the district's own is in force."""
        return self.pk is None

    def grades(self) -> list[tuple[str, int]]:
        """The four grades, best first, each with the lowest score that earns it (0 for the last)."""
        return [
            (self.grade_excellent_name, self.grade_excellent_min),
            (self.grade_good_name, self.grade_good_min),
            (self.grade_basic_name, self.grade_basic_min),
            (self.grade_poor_name, 0),
        ]

    def weights(self) -> dict[str, int]:
        """The weights (percent) of the five-way evaluation, by evaluator."""
        return {
            "self": self.weight_self,
            "unit": self.weight_unit,
            "residents": self.weight_residents,
            "community": self.weight_community,
            "organisation": self.weight_organisation,
        }
