"""One uploaded roster (党员名册) file and what its checks and its import found.

The upload itself is kept in the database, encrypted (it carries ID numbers), so that any app server can
show its preview and any worker can import it: the admin uploads once, looks at the dry run, then commits
the same stored file. The content is cleared once the file has been imported.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FileKind(models.TextChoices):
    XLSX = "xlsx", _("Excel 工作簿")
    CSV = "csv", _("CSV 表格")


class Mode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("全部正确才导入")
    VALID_ONLY = "valid_only", _("只导入正确的行")


class Status(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("处理中")
    CHECKED = "checked", _("已预检")
    REFUSED = "refused", _("有错误，未导入")
    COMMITTED = "committed", _("已导入")
    FAILED = "failed", _("处理失败")


#: A new check or import may start from these states (a refused or failed one may be run again).
STARTABLE = (Status.UPLOADED, Status.CHECKED, Status.REFUSED, Status.FAILED)
BUSY = (Status.QUEUED, Status.RUNNING)


class RosterImport(models.Model):
    """An uploaded roster for one unit, its last dry run or import, and the result people see.

    `rows`… `invalid` and `errors` (at most `ERRORS_KEPT` of them, `errors_total` in all) describe the last
    run; `dry_run` and `mode` say what that run was. `error_workbook` holds the rows left out by a
    valid-only import, with the reason for each."""

    ERRORS_KEPT = 1000

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="roster_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(_("文件名"), max_length=255)
    kind = models.CharField(_("文件类型"), max_length=4, choices=FileKind.choices)
    #: The uploaded file, encrypted (baodao.lib.crypto.encrypt_bytes); emptied after the import.
    content = models.BinaryField(editable=False)
    size = models.PositiveIntegerField(_("文件大小（字节）"))
    sha256 = models.CharField(max_length=64, db_index=True)
    #: Rows as counted when the file was checked on upload (exact once a run has read it: `rows`).
    rows_estimate = models.PositiveIntegerField(default=0)
    mode = models.CharField(_("导入方式"), max_length=16, choices=Mode.choices, default=Mode.ALL_OR_NOTHING)
    dry_run = models.BooleanField(_("仅预检"), default=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.UPLOADED)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    job = models.OneToOneField(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="roster_import"
    )
    rows = models.PositiveIntegerField(_("数据行"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("无变化"), default=0)
    invalid = models.PositiveIntegerField(_("有误"), default=0)
    #: [{"row", "column", "message"}], row numbers as Excel shows them (the header is row 1).
    errors = models.JSONField(default=list, blank=True)
    errors_total = models.PositiveIntegerField(default=0)
    error_workbook = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("名册导入")
        verbose_name_plural = _("名册导入")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "-created_at"], name="roster_import_unit_recent_idx")]

    def __str__(self) -> str:
        return f"roster import #{self.pk} ({self.status})"

    def summary(self) -> dict[str, object]:
        """The counts and errors of the last run, as the API and the job result give them."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "invalid": self.invalid,
            "errors": self.errors,
            "errors_total": self.errors_total,
        }
