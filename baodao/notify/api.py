"""API of the in-app inbox: `GET /api/v1/me/notices`, `POST /api/v1/me/notices/{id}/read`,
`POST /api/v1/me/notices/read-all`.

The list is the usual page (`count`, `next`, `previous`, `results`) with one more field, `unread`: how many
of the caller's notices are unread in all (not only on this page), for a badge.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.lib.api import error_responses, validated

from .models import Notice
from .selectors import notice_get_for_user, notices_of, unread_count
from .services import notice_read


class NoticeOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField(help_text=_("相关页面的地址"))
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    read = serializers.SerializerMethodField()

    def get_read(self, notice: Notice) -> bool:
        return notice.read_at is not None


class NoticePageOut(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = NoticeOut(many=True)
    unread = serializers.IntegerField(help_text=_("未读消息总数"))


class NoticeFilter(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("true 只看未读")
    )


class ReadAllOut(serializers.Serializer):
    read = serializers.IntegerField(help_text=_("本次标为已读的条数"))
    unread = serializers.IntegerField()


class MyNoticeListView(generics.GenericAPIView):
    """The caller's notices, newest first, and how many are unread."""

    serializer_class = NoticeOut

    @extend_schema(
        parameters=[
            NoticeFilter,
            OpenApiParameter("page", int, description=_("页码")),
            OpenApiParameter("page_size", int, description=_("每页条数（至多 200）")),
        ],
        responses={200: NoticePageOut, **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        params = validated(NoticeFilter, request.query_params)
        qs = notices_of(request.user)
        if params.get("unread") is True:
            qs = qs.filter(read_at__isnull=True)
        elif params.get("unread") is False:
            qs = qs.filter(read_at__isnull=False)
        page = self.paginate_queryset(qs)
        response = self.get_paginated_response(NoticeOut(page, many=True).data)
        response.data["unread"] = unread_count(request.user)
        return response


class MyNoticeReadView(APIView):
    """Mark one of the caller's notices read (again: no change)."""

    @extend_schema(request=None, responses={200: NoticeOut, **error_responses(401, 404)})
    def post(self, request: Request, pk: int) -> Response:
        notice = notice_get_for_user(request.user, pk)
        notice_read(user=request.user, notice_id=notice.pk)
        notice.refresh_from_db()
        return Response(NoticeOut(notice).data)


class MyNoticeReadAllView(APIView):
    @extend_schema(request=None, responses={200: ReadAllOut, **error_responses(401)})
    def post(self, request: Request) -> Response:
        read = notice_read(user=request.user)
        return Response(ReadAllOut({"read": read, "unread": unread_count(request.user)}).data)
