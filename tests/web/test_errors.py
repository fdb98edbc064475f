"""Error pages speak Chinese and keep the site's frame."""

from django.test import Client, RequestFactory
from django.views.defaults import server_error


def test_it_answers_not_found_in_chinese(client, db):
    r = client.get("/no-such-page/")
    assert r.status_code == 404
    assert "找不到这个页面" in r.text and '<html lang="zh-CN">' in r.text


def test_it_answers_a_server_error_in_chinese():
    r = server_error(RequestFactory().get("/"))
    assert r.status_code == 500
    assert "系统出错了" in r.content.decode()


def test_it_explains_an_expired_form_in_chinese(db):
    r = Client(enforce_csrf_checks=True).post("/login/", {"phone": "13800000000", "password": "x"})
    assert r.status_code == 403
    assert "页面已过期" in r.text
