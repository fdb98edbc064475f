from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

PHONE_RE = r"^1[3-9]\d{9}$"
phone_validator = RegexValidator(PHONE_RE, _("请输入 11 位中国大陆手机号码。"))


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("区委组织部")
    STREET_ADMIN = "street_admin", _("街道党工委")
    COMMUNITY_ADMIN = "community_admin", _("社区党委")
    GRID_WORKER = "grid_worker", _("网格员")
    UNIT_ADMIN = "unit_admin", _("单位党组织")
    MEMBER = "member", _("在职党员")
    RESIDENT = "resident", _("居民")
    AUDITOR = "auditor", _("安全审计员")
    SECURITY_ADMIN = "security_admin", _("安全保密管理员")


#: The region level each region-scoped role is granted on. Unit-scoped roles name a unit instead.
ROLE_REGION_LEVEL: dict[str, str] = {
    Role.DISTRICT_ADMIN: "district",
    Role.STREET_ADMIN: "street",
    Role.COMMUNITY_ADMIN: "community",
    Role.GRID_WORKER: "grid",
    Role.RESIDENT: "community",
    Role.AUDITOR: "district",
    Role.SECURITY_ADMIN: "district",
}
UNIT_ROLES = frozenset({Role.UNIT_ADMIN, Role.MEMBER})
#: Roles that administer the business data of a region subtree.
REGION_ADMIN_ROLES = frozenset(
    {Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.COMMUNITY_ADMIN, Role.GRID_WORKER}
)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **extra) -> User:
        user = self.model(phone=phone, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in by mobile number. What it may do comes from its grants."""

    phone = models.CharField(_("手机号"), max_length=11, unique=True, validators=[phone_validator])
    name = models.CharField(_("姓名"), max_length=50)
    is_active = models.BooleanField(_("启用"), default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(auto_now_add=True)

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS = ["name"]
    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return gettext("%(name)s（%(phone)s）") % {"name": self.name, "phone": self.phone}


class Grant(models.Model):
    """A role over a region subtree or over a unit. A person may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "org.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    can_unmask = models.BooleanField(_("可查看完整敏感信息"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("授权")
        verbose_name_plural = _("授权")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(region__isnull=False, unit__isnull=True) | Q(region__isnull=True, unit__isnull=False)
                ),
                name="grant_region_xor_unit",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                name="grant_unique_region",
                condition=Q(region__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "unit"], name="grant_unique_unit", condition=Q(unit__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.region or self.unit}"


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"token #{self.pk} of {self.user_id}"
