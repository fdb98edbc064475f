"""A certificate as an HTTP answer, shared by the API and the pages."""

from __future__ import annotations

from io import BytesIO

from django.http import FileResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .models import Certificate
from .pdf import certificate_pdf


def certificate_pdf_response(cert: Certificate, verify_url: str) -> FileResponse:
    """The PDF, shown in the browser, named by its number; kept by the person's browser, never a shared
    cache."""
    response = FileResponse(
        BytesIO(certificate_pdf(cert, verify_url)),
        content_type="application/pdf",
        filename=_("志愿服务证明-%(number)s.pdf") % {"number": cert.number},
    )
    patch_cache_control(response, private=True, max_age=3600)
    return response
