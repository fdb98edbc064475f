from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baodao.lib import crypto, idnumber


class Skill(models.TextChoices):
    """兴趣特长 / 服务意愿: the controlled vocabulary (free tags go beside it)."""

    ORGANISATION = "organisation", _("组织建设")
    LEGAL = "legal", _("法律咨询")
    ASSISTANCE = "assistance", _("助困扶残")
    GOVERNANCE = "governance", _("社区治理")
    HEALTH = "health", _("健康医疗")
    CULTURE = "culture", _("文化体育")
    PATROL = "patrol", _("治安巡逻")
    TUTORING = "tutoring", _("教育辅导")
    ENVIRONMENT = "environment", _("环境整治")
    COUNSELLING = "counselling", _("心理疏导")
    REPAIR = "repair", _("维修技能")
    IT = "it", _("信息技术")
    OTHER = "other", _("其他")


class Weekday(models.TextChoices):
    MON = "mon", _("周一")
    TUE = "tue", _("周二")
    WED = "wed", _("周三")
    THU = "thu", _("周四")
    FRI = "fri", _("周五")
    SAT = "sat", _("周六")
    SUN = "sun", _("周日")


class DayPart(models.TextChoices):
    MORNING = "morning", _("上午")
    AFTERNOON = "afternoon", _("下午")
    EVENING = "evening", _("晚上")


class Member(models.Model):
    """An employed party member (在职党员): on its unit's roster, living in a community.

    It belongs to two trees at once: `unit`/`branch` (where it works) and `community`/`grid` (where it lives).
    `registered_community` is maintained by the registration services: the community whose confirmed
    registration it holds now, or null.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="member")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="members")
    branch = models.ForeignKey(
        "org.Branch", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    on_roster = models.BooleanField(_("在册"), default=True, db_index=True)
    id_number_encrypted = models.TextField(blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    community = models.ForeignKey(
        "org.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resident_members",
        verbose_name=_("居住社区"),
    )
    grid = models.ForeignKey(
        "org.Region",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grid_members",
        verbose_name=_("网格"),
    )
    address = models.CharField(_("楼栋/住址"), max_length=200, blank=True)
    #: Materialised path of the grid (or the community) it lives in, for one-prefix scope filters.
    residence_path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    registered_community = models.ForeignKey(
        "org.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_members",
        editable=False,
    )
    skills = models.JSONField(_("兴趣特长"), default=list, blank=True)
    tags = models.JSONField(_("特长标签"), default=list, blank=True)
    preferences = models.JSONField(_("服务意愿"), default=list, blank=True)
    availability = models.JSONField(_("可服务时间"), default=list, blank=True)
    pledge = models.TextField(_("服务承诺"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("在职党员")
        verbose_name_plural = _("在职党员")
        indexes = [
            models.Index(fields=["unit", "on_roster"], name="member_unit_roster_idx"),
            models.Index(fields=["community", "on_roster"], name="member_community_roster_idx"),
            # the dashboards count a region's members by where they live, and those registered in the
            # community they live in (as the coverage page does), from this index alone
            models.Index(
                fields=["residence_path", "on_roster", "registered_community", "community"],
                name="member_residence_cover_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.user.name

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def is_registered(self) -> bool:
        return self.registered_community_id is not None

    def id_number(self) -> str:
        """The full number. Callers outside the member's own views must audit the unmasking."""
        return crypto.decrypt(self.id_number_encrypted) if self.id_number_encrypted else ""

    def skill_labels(self) -> list[str]:
        labels = dict(Skill.choices)
        return [str(labels.get(code, code)) for code in self.skills]

    @property
    def phone_masked(self) -> str:
        return idnumber.mask_phone(self.user.phone)
