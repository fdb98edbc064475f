"""What every API endpoint shares: the error shape, pagination, and helpers for thin views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from .errors import DomainError, Invalid

T = TypeVar("T")

_STATUS_CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    429: "throttled",
}


def error_response(
    status_code: int, code: str, detail: str, fields: dict[str, Any] | None = None
) -> Response:
    return Response({"error": code, "detail": detail, "fields": fields or {}}, status=status_code)


def _flatten(data: Any) -> dict[str, list[str]]:
    if isinstance(data, dict):
        return {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in data.items()}
    return {"non_field_errors": [str(m) for m in (data if isinstance(data, list) else [data])]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error as `{"error", "detail", "fields"}` with a Chinese `detail`."""
    if isinstance(exc, DomainError):
        return error_response(exc.status, exc.code, exc.detail, exc.fields)
    if isinstance(exc, Http404):
        return error_response(404, "not_found", str(exc) or _("没有找到。"))
    if isinstance(exc, PermissionDenied):
        return error_response(403, "forbidden", _("您没有执行此操作的权限。"))
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.values()), [_("请求数据不正确。")])[0]
        return error_response(400, "invalid", _("请求数据不正确：%(first)s") % {"first": first}, fields)
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        detail = (
            _("请先登录，或在请求头中提供有效令牌。")
            if isinstance(exc, exceptions.NotAuthenticated)
            else str(exc.detail)
        )
        response = error_response(401, "unauthenticated", detail)
        response["WWW-Authenticate"] = "Bearer"
        return response
    if isinstance(exc, exceptions.APIException):
        code = _STATUS_CODES.get(exc.status_code, "error")
        detail = {
            400: _("请求内容无法解析，请提交有效的 JSON。"),  # ParseError (ValidationError is handled above)
            403: _("您没有执行此操作的权限。"),
            405: _("不支持该请求方法。"),
            406: _("无法提供所请求的格式。"),
            415: _("不支持的请求内容类型，请使用 JSON。"),
            429: _("请求过于频繁，请稍后再试。"),
        }.get(exc.status_code, str(exc.detail))
        return error_response(exc.status_code, code, detail)
    return None


class Pagination(PageNumberPagination):
    """`{"count", "next", "previous", "results"}`, `?page=` and `?page_size=` (at most 200)."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )


def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown paths under /api/ answer in the API's error shape, not with the HTML 404 page."""
    return JsonResponse(
        {"error": "not_found", "detail": _("没有这个接口：%(path)s") % {"path": request.path}, "fields": {}},
        status=404,
    )


def named_in_body(fetch: Callable[[], T], *, field: str, message: str) -> T:
    """An object the request body names (`fetch` raises Http404 when there is none the caller may see): a
    name that does not resolve is a mistake in the body — 400 on its field — not a missing resource."""
    try:
        return fetch()
    except Http404:
        raise Invalid(message, fields={field: [message]}) from None


def created(data: Any) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)


def parse_bool(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    if value.lower() in ("1", "true", "yes", "是"):
        return True
    if value.lower() in ("0", "false", "no", "否"):
        return False
    raise DomainError(
        _("布尔参数只能是 true 或 false。"), fields={"registered": [_("只能是 true 或 false。")]}
    )


class ErrorOut(serializers.Serializer):
    """The body of every error answer (for the schema; `exception_handler` builds it)."""

    error = serializers.CharField(
        help_text=gettext_lazy("稳定的错误代码，如 invalid、unauthenticated、not_found、conflict")
    )
    detail = serializers.CharField(help_text=gettext_lazy("中文说明"))
    # The metaclass takes declared fields out of the class body, so this does not shadow Serializer.fields.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()), help_text=gettext_lazy("各字段的错误说明")
    )


_ERROR_DESCRIPTIONS = {
    400: gettext_lazy("请求数据不正确"),
    401: gettext_lazy("未登录或令牌无效"),
    403: gettext_lazy("可以看到该对象，但无权执行此操作"),
    404: gettext_lazy("不存在，或不在您的管辖范围内"),
    409: gettext_lazy("当前状态不允许此操作，或与已有数据重复"),
    429: gettext_lazy("登录失败次数过多，已临时锁定"),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error answers an endpoint may give."""
    return {code: OpenApiResponse(ErrorOut, description=_ERROR_DESCRIPTIONS[code]) for code in codes}


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """`data` (a request body or query string) checked by an input serializer; 400 with Chinese field
    messages when it does not fit."""
    checked = serializer_class(data=data)
    checked.is_valid(raise_exception=True)
    return dict(checked.validated_data)
