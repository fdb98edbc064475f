from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "baodao.posts"
    verbose_name = _("岗位与队伍")
