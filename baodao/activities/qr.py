"""The check-in QR code as SVG, for the organiser's pages and for the API."""

from __future__ import annotations

import io

import segno
from django.utils.translation import gettext as _


def qr_svg(url: str) -> str:
    """The QR code of `url` (the check-in page with the code filled in) as SVG text, without an XML
    declaration: inline in a page or standalone (it names its namespace). No script, no style attribute (the
    pages' CSP allows neither) and no fixed size — a `viewBox` only, so it scales to whatever holds it (on the
    pages, the stylesheet's `.qr`)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        scale=1,
        omitsize=True,
        svgclass="qr",
        lineclass=None,
        light="#fff",
        title=_("签到二维码"),
    )
    return buffer.getvalue().decode().replace("<svg ", '<svg role="img" ', 1)
