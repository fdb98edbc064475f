"""API of the region tree and the units: `/api/v1/regions`, `/api/v1/units`.

Region names and codes are a directory every signed-in person may read (a member must find its community);
units are scoped by `units_visible_to`. Creation goes through the org services, which refuse (404) a
parent region or a unit region outside the caller's subtree.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.lib.api import created, error_responses, validated

from .models import Level, Region, Unit, code_validator
from .selectors import region_get, regions_visible_to, unit_get_for_user, units_visible_to
from .services import region_create, unit_create


class RefOut(serializers.Serializer):
    """A region or a unit, named by its code."""

    code = serializers.CharField()
    name = serializers.CharField()


# ---- regions -------------------------------------------------------------------------------------------


class RegionOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)
    level_label = serializers.CharField(source="get_level_display")
    # `parent` names a field here (the metaclass moves it out of the class), not Field.parent.
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.code", allow_null=True, help_text=_("上级区域编码；区为 null")
    )


class RegionIn(serializers.Serializer):
    code = serializers.CharField(max_length=32, validators=[code_validator])
    name = serializers.CharField(max_length=100)
    level = serializers.ChoiceField(choices=Level.choices)
    parent = serializers.CharField(  # type: ignore[assignment]
        max_length=32, required=False, allow_null=True, allow_blank=True, help_text=_("上级区域编码")
    )


class RegionFilter(serializers.Serializer):
    parent = serializers.CharField(required=False, help_text=_("只列出该区域的下一级"))  # type: ignore[assignment]
    level = serializers.ChoiceField(choices=Level.choices, required=False)


class RegionListView(generics.ListAPIView):
    """GET: the region directory, in tree order. POST: add a region under one the caller administers."""

    serializer_class = RegionOut

    def get_queryset(self) -> QuerySet[Region]:
        params = validated(RegionFilter, self.request.query_params)
        qs = regions_visible_to(self.request.user)
        if params.get("parent"):
            qs = qs.filter(parent__code=params["parent"])
        if params.get("level"):
            qs = qs.filter(level=params["level"])
        return qs

    @extend_schema(
        parameters=[RegionFilter],
        responses={200: RegionOut(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=RegionIn,
        responses={201: RegionOut, **error_responses(400, 401, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        data = validated(RegionIn, request.data)
        parent = region_get(data["parent"]) if data.get("parent") else None
        region = region_create(
            actor=request.user, code=data["code"], name=data["name"], level=data["level"], parent=parent
        )
        return created(RegionOut(region).data)


class RegionDetailView(APIView):
    @extend_schema(responses={200: RegionOut, **error_responses(401, 404)})
    def get(self, request: Request, code: str) -> Response:
        return Response(RegionOut(region_get(code)).data)


# ---- units ---------------------------------------------------------------------------------------------


class UnitOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField(source="region.code", help_text=_("所属区或街道的编码"))
    region_name = serializers.CharField(source="region.name")


class UnitIn(serializers.Serializer):
    code = serializers.CharField(max_length=32, validators=[code_validator])
    name = serializers.CharField(max_length=100)
    region = serializers.CharField(max_length=32, help_text=_("所属区或街道的编码"))


class UnitFilter(serializers.Serializer):
    region = serializers.CharField(required=False, help_text=_("只列出该区域（含下级）的单位"))


class UnitListView(generics.ListAPIView):
    """GET: the units the caller may see. POST: add a unit to a district or street it administers."""

    serializer_class = UnitOut

    def get_queryset(self) -> QuerySet[Unit]:
        params = validated(UnitFilter, self.request.query_params)
        qs = units_visible_to(self.request.user)
        if params.get("region"):
            region = regions_visible_to(self.request.user).filter(code=params["region"]).first()
            qs = qs.filter(region__path__startswith=region.path) if region else qs.none()
        return qs

    @extend_schema(
        parameters=[UnitFilter],
        responses={200: UnitOut(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=UnitIn,
        responses={201: UnitOut, **error_responses(400, 401, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        data = validated(UnitIn, request.data)
        unit = unit_create(
            actor=request.user, code=data["code"], name=data["name"], region=region_get(data["region"])
        )
        return created(UnitOut(unit).data)


class UnitDetailView(APIView):
    @extend_schema(responses={200: UnitOut, **error_responses(401, 404)})
    def get(self, request: Request, code: str) -> Response:
        return Response(UnitOut(unit_get_for_user(request.user, code)).data)
