from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

code_validator = RegexValidator(
    r"^[0-9A-Za-z_-]{1,32}$", _("编码只能包含字母、数字、下划线和短横线，最长 32 位。")
)


class Level(models.TextChoices):
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")


#: The level a child of each level must have.
CHILD_LEVEL = {Level.DISTRICT: Level.STREET, Level.STREET: Level.COMMUNITY, Level.COMMUNITY: Level.GRID}


class Region(models.Model):
    """One node of the district → street → community → grid tree.

    `path` is the materialised path of codes ("D/S/C/"), so a subtree is one indexed prefix filter.
    """

    code = models.CharField(_("编码"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)

    class Meta:
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="district", parent__isnull=True)
                | (~models.Q(level="district") & models.Q(parent__isnull=False)),
                name="region_only_districts_are_roots",
            ),
            # Subtree filters compare path prefixes, which SQLite does without regard to case: codes that
            # differ only in case would let one subtree reach into the other.
            models.UniqueConstraint(Lower("code"), name="region_code_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def district_code(self) -> str:
        return self.path.split("/", 1)[0]

    def contains(self, other: Region) -> bool:
        return other.path.startswith(self.path)


class Unit(models.Model):
    """A work unit with its party organisation (单位党组织). Its roster is its members on record."""

    code = models.CharField(_("单位编码"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("单位名称"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="units", verbose_name=_("所属区/街道")
    )

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    """A party branch (党支部) inside a unit."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="branches")
    name = models.CharField(_("支部名称"), max_length=100)

    class Meta:
        verbose_name = _("党支部")
        verbose_name_plural = _("党支部")
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="branch_unique_name_in_unit")]

    def __str__(self) -> str:
        return self.name
