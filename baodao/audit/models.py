"""An append-only, hash-chained log of security-relevant actions.

Each entry's hash covers its content and the previous entry's hash, so removing or altering one breaks the
chain from that point on (see `audit_verify`). Database triggers refuse UPDATE and DELETE.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN = "login", _("登录成功")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKED_OUT = "locked_out", _("账户锁定")
    LOGOUT = "logout", _("退出登录")
    TOKEN_ISSUED = "token_issued", _("签发接口令牌")
    USER_CREATED = "user_created", _("创建账户")
    GRANT_ADDED = "grant_added", _("授予角色")
    GRANT_REMOVED = "grant_removed", _("撤销角色")
    UNMASKED = "unmasked", _("查看完整敏感信息")
    REGISTRATION_CONFIRMED = "registration_confirmed", _("确认报到")
    REGISTRATION_REJECTED = "registration_rejected", _("驳回报到")
    REGISTRATION_ENDED = "registration_ended", _("结束报到")
    UNIT_REGISTRATION_CONFIRMED = "unit_registration_confirmed", _("确认单位报到")
    UNIT_REGISTRATION_REJECTED = "unit_registration_rejected", _("驳回单位报到")
    POLICY_CHANGED = "policy_changed", _("修改政策")
    ROSTER_IMPORTED = "roster_imported", _("导入党员名册")
    EXPORTED = "exported", _("导出数据")
    ACTIVATION_ISSUED = "activation_issued", _("发放激活码")
    ACTIVATED = "activated", _("激活账户并设置密码")
    NEED_DECLINED = "need_declined", _("不予受理需求")
    NEED_ASSIGNED = "need_assigned", _("指派需求")
    SERVICE_VERIFIED = "service_verified", _("确认服务并记入台账")
    SERVICE_REVERSED = "service_reversed", _("冲销服务记录")
    ATTENDANCE_RECORDED = "attendance_recorded", _("人工补录出勤")
    CERTIFICATE_ISSUED = "certificate_issued", _("开具志愿服务证明")
    MOBILIZATION_ACTIVATED = "mobilization_activated", _("启动应急动员")
    MOBILIZATION_WIDENED = "mobilization_widened", _("扩大应急动员范围")
    MOBILIZATION_STOOD_DOWN = "mobilization_stood_down", _("解除应急动员")
    CIRCULAR_PUBLISHED = "circular_published", _("发布通报")
    APPRAISAL_RUN = "appraisal_run", _("生成考评")
    APPRAISAL_FINALISED = "appraisal_finalised", _("确定考评等次")
    APPRAISAL_APPEALED = "appraisal_appealed", _("提出考评申诉")
    APPRAISAL_ANSWERED = "appraisal_answered", _("答复考评申诉")
    FEEDBACK_SENT = "feedback_sent", _("发送反馈函")
    MEMBERS_REMINDED = "members_reminded", _("一键提醒党员")
    PREAPPOINTMENT_ASKED = "preappointment_asked", _("发起任前考察")
    PREAPPOINTMENT_ANSWERED = "preappointment_answered", _("回复任前考察")
    PREAPPOINTMENT_EXPLAINED = "preappointment_explained", _("补充未报到情况说明")


class AuditEvent(models.Model):
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices, db_index=True)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_action_display()} {self.actor_label}"


class AuditHead(models.Model):
    """One row holding the newest hash; locking it serialises writers so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.last_hash
