"""The SMS channel is pluggable: the default keeps messages in the outbox; any class with `send` will do."""

import logging

import pytest
from django.core.management import call_command

from baodao.activation.services import activation_code_request
from baodao.notify.models import Outbox
from baodao.notify.sms import OutboxBackend, sms_backend, sms_send

SENT: list[tuple[str, str]] = []


class RecordingBackend:
    def send(self, phone: str, text: str) -> None:
        SENT.append((phone, text))


class BrokenGateway:
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway down")


@pytest.fixture(autouse=True)
def _clear():
    SENT.clear()


def test_the_default_keeps_messages_in_the_outbox_and_the_log(db, caplog):
    assert isinstance(sms_backend(), OutboxBackend)
    with caplog.at_level(logging.INFO, logger="baodao.notify.sms"):
        sms_send(phone="13800138000", text="测试短信")
    assert list(Outbox.objects.values_list("phone", "text")) == [("13800138000", "测试短信")]
    assert "138****8000" in caplog.text and "13800138000" not in caplog.text


def test_another_backend_is_one_setting_away(settings, newcomer):
    settings.SMS_BACKEND = "tests.activation.test_sms.RecordingBackend"
    activation_code_request(phone=newcomer.user.phone)
    [(phone, text)] = SENT
    assert phone == newcomer.user.phone and "激活码" in text
    assert not Outbox.objects.exists()


def test_a_failing_gateway_is_logged_and_the_asker_learns_nothing(settings, newcomer, caplog):
    settings.SMS_BACKEND = "tests.activation.test_sms.BrokenGateway"
    with caplog.at_level(logging.ERROR):
        activation_code_request(phone=newcomer.user.phone)  # no exception
    assert "did not accept the activation code" in caplog.text
    assert newcomer.user.phone not in caplog.text


def test_the_outbox_can_be_read_from_the_command_line(db, capsys):
    sms_send(phone="13800138000", text="第一条")
    sms_send(phone="13900139000", text="第二条")
    call_command("sms_outbox", phone="13800138000")
    out = capsys.readouterr().out
    assert "13800138000  第一条" in out and "第二条" not in out


def test_a_deployment_without_a_gateway_is_warned(settings):
    from baodao.notify.checks import sms_backend_delivers

    assert [w.id for w in sms_backend_delivers(None)] == ["notify.W001"]
    settings.SMS_BACKEND = "tests.activation.test_sms.RecordingBackend"
    assert sms_backend_delivers(None) == []
