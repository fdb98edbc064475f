from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext, ngettext

from baodao.audit.services import audit_verify


class Command(BaseCommand):
    # Translated now, not lazily: argparse needs a real string (commands are imported after set-up).
    help = gettext("校验审计日志哈希链是否完整")

    def handle(self, *args, **options):
        intact, checked, broken = audit_verify()
        if not intact:
            raise CommandError(
                ngettext(
                    "审计日志哈希链已断裂：已校验 %(checked)d 条，第一条异常记录 ID %(broken)s",
                    "审计日志哈希链已断裂：已校验 %(checked)d 条，第一条异常记录 ID %(broken)s",
                    checked,
                )
                % {"checked": checked, "broken": broken}
            )
        self.stdout.write(
            ngettext("审计日志完整：共 %(checked)d 条", "审计日志完整：共 %(checked)d 条", checked)
            % {"checked": checked}
        )
