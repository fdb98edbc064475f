"""Finished background exports, kept in the database so that any app server can hand out a file that any
worker wrote (the servers keep nothing on their own disks). A file is stored in parts of PART_BYTES, so
that neither the worker that writes it nor the server that sends it holds it whole in memory.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PART_BYTES = 1024 * 1024


class ExportFile(models.Model):
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dataset = models.CharField(_("数据"), max_length=20)
    format = models.CharField(_("格式"), max_length=4)
    filename = models.CharField(_("文件名"), max_length=200)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"), default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("导出文件")
        verbose_name_plural = _("导出文件")

    def __str__(self) -> str:
        return self.filename


class ExportFilePart(models.Model):
    file = models.ForeignKey(ExportFile, on_delete=models.CASCADE, related_name="parts")
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["file", "seq"], name="export_part_unique_seq")]

    def __str__(self) -> str:
        return f"{self.file_id}#{self.seq}"
