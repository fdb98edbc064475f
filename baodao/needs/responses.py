"""A need's photo as an HTTP answer, shared by the API and the pages."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from .models import Photo


def photo_response(photo: Photo) -> HttpResponse:
    """The picture's bytes. Photos often show the inside of a home: the browser may keep them a while, a
    shared cache never."""
    response = HttpResponse(bytes(photo.data), content_type=photo.content_type)
    patch_cache_control(response, private=True, max_age=3600)
    return response
