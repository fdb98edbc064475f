"""亮身份: a community's public page — who registered here, with their units and pledges. No sign-in.

Only names, units, skills and pledges are shown: never a phone number, an ID number or an address.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from baodao.members.selectors import member_public_list
from baodao.org.models import Level
from baodao.org.selectors import region_get

from .common import paginate


def community_public(request: HttpRequest, code: str) -> HttpResponse:
    community = region_get(code, level=Level.COMMUNITY)
    page = paginate(request, member_public_list(community.code))
    return render(request, "web/community_public.html", {"community": community, "page": page})
