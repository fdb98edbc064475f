from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.lib.api import error_responses

from .models import Job
from .selectors import job_get_for_user


class JobOut(serializers.ModelSerializer):
    percent = serializers.IntegerField(help_text=_("进度百分比 0–100"))
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "status_label",
            "total",
            "done",
            "percent",
            "message",
            "result",
            "created_at",
            "started_at",
            "finished_at",
        ]


class JobDetailView(APIView):
    @extend_schema(
        summary=_("后台任务进度"), responses={200: JobOut, **error_responses(401, 404)}, tags=["jobs"]
    )
    def get(self, request: Request, job_id: Any) -> Response:
        return Response(JobOut(job_get_for_user(request.user, job_id)).data)
