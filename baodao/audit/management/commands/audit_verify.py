from django.core.management.base import BaseCommand, CommandError

from baodao.audit.services import audit_verify


class Command(BaseCommand):
    help = "校验审计日志哈希链是否完整"

    def handle(self, *args, **options):
        intact, checked, broken = audit_verify()
        if not intact:
            raise CommandError(f"审计日志哈希链已断裂：已校验 {checked} 条，第一条异常记录 ID {broken}")
        self.stdout.write(f"审计日志完整：共 {checked} 条")
