from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Job


def job_get_for_user(user: Any, job_id: Any) -> Job:
    """A job is visible to whoever started it; anyone else gets 404."""
    try:
        return Job.objects.get(pk=job_id, created_by_id=user.pk)
    except (Job.DoesNotExist, ValidationError, ValueError):
        raise Http404(_("没有找到该后台任务。")) from None
