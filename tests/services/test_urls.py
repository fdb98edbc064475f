"""The addresses that leave the site (certificates, QR codes, printed sheets) use the public base URL when one
is set, and the request's own otherwise."""

from django.test import RequestFactory

from baodao.lib.urls import public_url


def test_it_uses_the_requests_host_without_a_public_base_url(settings):
    settings.PUBLIC_BASE_URL = ""
    request = RequestFactory().get("/", HTTP_HOST="localhost:8000")
    assert public_url(request, "/verify/ZM1/") == "http://localhost:8000/verify/ZM1/"


def test_it_uses_the_public_base_url_when_set(settings):
    request = RequestFactory().get("/", HTTP_HOST="localhost:8000")
    for base in ("https://baodao.example.gov.cn", "https://baodao.example.gov.cn/"):
        settings.PUBLIC_BASE_URL = base
        assert public_url(request, "/activities/1/checkin/?code=123456") == (
            "https://baodao.example.gov.cn/activities/1/checkin/?code=123456"
        )
