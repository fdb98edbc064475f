"""The whole 报到 handshake through the pages, as the people involved would click through it."""

import re

import pytest
from django.test import Client

from baodao.registration.models import Registration


@pytest.fixture
def member_page(w):
    client = Client()
    client.force_login(w.users["member"], backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def community_page(w):
    client = Client()
    client.force_login(w.users["community_admin"], backend="django.contrib.auth.backends.ModelBackend")
    return client


def status_line(html):
    return re.search(r'id="status-title">报到状态</h2>\s*<p class="status-line">(.*?)</p>', html, re.S).group(
        1
    )


def test_it_applies_confirms_and_shows_the_receipt(member_page, community_page):
    r = member_page.post(
        "/me/apply/", {"community": "C1", "grid": "C1G1", "address": "3栋2单元501"}, follow=True
    )
    assert "待确认" in status_line(r.text)

    queue = community_page.get("/community/C1/registrations/").text
    assert "李明" in queue and "3栋2单元501" in queue
    registration = Registration.objects.get()
    community_page.post(f"/registrations/{registration.pk}/confirm/")

    html = member_page.get("/me/").text
    registration.refresh_from_db()
    assert "已报到" in status_line(html)
    assert "回执编号" in html and registration.receipt_no in html
    assert re.fullmatch(r"BDC1-\d{4}-\d{6}", registration.receipt_no)


def test_it_rejects_with_a_reason_the_member_sees(member_page, community_page):
    member_page.post("/me/apply/", {"community": "C1", "grid": "C1G1"})
    registration = Registration.objects.get()
    community_page.post(f"/registrations/{registration.pk}/reject/", {"reason": "经核实不在本社区居住"})
    html = member_page.get("/me/").text
    assert "已驳回" in status_line(html)
    assert "驳回原因：经核实不在本社区居住" in html
    # and it may apply again
    r = member_page.post("/me/apply/", {"community": "C1", "grid": "C1G2"}, follow=True)
    assert "待确认" in status_line(r.text)


def test_it_transfers_and_keeps_the_history(w, member_page, community_page):
    member_page.post("/me/apply/", {"community": "C1", "grid": "C1G1"})
    first = Registration.objects.get()
    community_page.post(f"/registrations/{first.pk}/confirm/", follow=True)
    first.refresh_from_db()

    form = member_page.get("/me/apply/").text
    assert "搬迁转移" in form
    r = member_page.post(
        "/me/apply/",
        {"community": "C2", "grid": "C2G1", "address": "8栋", "reason": "搬家到和平社区"},
        follow=True,
    )
    html = r.text
    assert "待确认" in status_line(html) and "和平社区" in status_line(html)
    assert "报到记录" in html
    assert first.receipt_no in html  # the old receipt stays in the history
    assert "已结束" in html and "结束报到：搬家到和平社区" in html
    assert "社区确认报到" in html and html.count("提交报到申请") == 2
    assert [r.status for r in Registration.objects.order_by("pk")] == ["ended", "pending"]
    # the new community sees it; the old one no longer has it pending
    other = Client()
    other.force_login(w.users["other_community_admin"], backend="django.contrib.auth.backends.ModelBackend")
    assert "李明" in other.get("/community/C2/registrations/?status=pending").text
    assert "李明" not in community_page.get("/community/C1/registrations/?status=pending").text
