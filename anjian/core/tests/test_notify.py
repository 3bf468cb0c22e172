"""Notifications: inbox rows, delivery after commit, real webhook HTTP, SMS adapter, inbox pages."""

from __future__ import annotations

import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.urls import reverse

from anjian.core import notify as notify_module
from anjian.core.models import Notification
from anjian.core.notify import LogSmsBackend, MemorySmsBackend, deliver, notify
from anjian.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class Robot:
    """A group robot on 127.0.0.1: records each POST and answers with ``status`` and ``reply``."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        self.reply: dict = {"errcode": 0, "errmsg": "ok"}
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                robot.requests.append(
                    {
                        "path": self.path,
                        "content_type": self.headers.get("Content-Type"),
                        "json": json.loads(self.rfile.read(length)),
                    }
                )
                body = json.dumps(robot.reply).encode()
                self.send_response(robot.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/webhook/send?key=test"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot(settings, monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    server = Robot()
    settings.NOTIFY_SENDERS = ["webhook"]
    settings.NOTIFY_WEBHOOK_URL = server.url
    settings.NOTIFY_WEBHOOK_KIND = "wecom"
    yield server
    server.close()


@pytest.fixture
def sms(settings):
    settings.NOTIFY_SENDERS = ["sms"]
    settings.SMS_BACKEND = "anjian.core.notify.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- notify() -----------------------------------------------------------------------------------


def test_notify_writes_one_row_per_active_recipient(world):
    inactive = UserFactory(is_active=False)
    rows = notify(
        recipients=[world.town_admin_a, world.grid_inspector_a, world.town_admin_a, inactive, None],
        title="重大隐患待督办",
        body="城厢精密机械有限公司：配电箱未接地",
        url="/enterprises/1/",
        level="danger",
    )
    assert {r.recipient for r in rows} == {world.town_admin_a, world.grid_inspector_a}
    assert len({r.batch for r in rows}) == 1
    row = Notification.objects.get(recipient=world.town_admin_a)
    assert (row.title, row.level, row.url, row.read_at, row.channels) == (
        "重大隐患待督办",
        "danger",
        "/enterprises/1/",
        None,
        {},
    )
    assert notify(recipients=[], title="t", body="b") == []
    with pytest.raises(ValueError):
        notify(recipients=[world.town_admin_a], title="t", body="b", level="loud")


def test_notify_in_a_rolled_back_transaction_delivers_nothing(
    world, robot, sms, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_SENDERS = ["webhook", "sms"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                notify(recipients=[world.town_admin_a], title="撤销", body="不应发出", sms=True)
                raise RuntimeError("the service failed after notifying")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert robot.requests == [] and sms == []


def test_delivery_waits_for_commit(world, robot, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[world.town_admin_a], title="待提交", body="")
    assert robot.requests == [] and len(callbacks) == 1
    callbacks[0]()
    assert len(robot.requests) == 1


# --- webhook over real HTTP -----------------------------------------------------------------------


def test_webhook_posts_wecom_markdown_once_per_batch(world, robot, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(
            recipients=[world.town_admin_a, world.grid_inspector_a],
            title="新隐患",
            body="配电箱未接地",
            url="/enterprises/1/",
            level="warning",
        )
    assert len(robot.requests) == 1
    request = robot.requests[0]
    assert request["path"] == "/cgi-bin/webhook/send?key=test"
    assert request["content_type"].startswith("application/json")
    payload = request["json"]
    assert payload["msgtype"] == "markdown" and set(payload["markdown"]) == {"content"}
    content = payload["markdown"]["content"]
    assert "新隐患" in content and "配电箱未接地" in content and "/enterprises/1/" in content
    assert str(world.town_admin_a) in content and str(world.grid_inspector_a) in content
    for row in Notification.objects.filter(pk__in=[r.pk for r in rows]):
        assert row.channels["webhook"]["status"] == "sent"
        assert row.channels["webhook"]["attempts"] == 1


def test_webhook_dingtalk_format_and_site_url(world, robot, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_WEBHOOK_KIND = "dingtalk"
    settings.SITE_URL = "https://anjian.example.gov.cn/"
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.town_admin_a], title="检查计划", body="明日检查", url="/core/inbox/")
    payload = robot.requests[0]["json"]
    assert payload["msgtype"] == "markdown" and set(payload["markdown"]) == {"title", "text"}
    assert payload["markdown"]["title"] == "检查计划"
    assert "(https://anjian.example.gov.cn/core/inbox/)" in payload["markdown"]["text"]


def test_a_rerun_does_not_resend(world, robot, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(recipients=[world.town_admin_a], title="一次", body="")
    summary = deliver(str(rows[0].batch))
    assert summary == {"webhook": None, "sms_sent": 0, "failed": 0}
    assert len(robot.requests) == 1


@pytest.mark.parametrize("failure", ["http_500", "errcode", "unreachable"])
def test_webhook_failure_is_recorded_never_raised_and_retried(
    world, robot, settings, caplog, django_capture_on_commit_callbacks, failure
):
    if failure == "http_500":
        robot.status = 500
    elif failure == "errcode":
        robot.reply = {"errcode": 93000, "errmsg": "invalid webhook url"}
    else:
        settings.NOTIFY_WEBHOOK_URL = f"http://127.0.0.1:{_closed_port()}/robot"
    with caplog.at_level(logging.CRITICAL, logger="huey"), django_capture_on_commit_callbacks(execute=True):
        rows = notify(recipients=[world.town_admin_a], title="失败也不影响业务", body="")
    row = Notification.objects.get(pk=rows[0].pk)
    assert row.channels["webhook"]["status"] == "failed"
    assert row.channels["webhook"]["error"]
    if failure == "errcode":
        assert "93000" in row.channels["webhook"]["error"]
    # The robot works again: a rerun (huey's retry) sends it once and records the second attempt.
    robot.status, robot.reply = 200, {"errcode": 0, "errmsg": "ok"}
    settings.NOTIFY_WEBHOOK_URL = robot.url
    requests_before = len(robot.requests)
    assert deliver(str(row.batch))["webhook"] == "sent"
    row.refresh_from_db()
    assert row.channels["webhook"]["status"] == "sent" and row.channels["webhook"]["attempts"] == 2
    assert len(robot.requests) == requests_before + 1


def test_webhook_needs_a_url_and_a_known_kind(world, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_SENDERS = ["webhook"]
    settings.NOTIFY_WEBHOOK_URL = ""
    rows = notify(recipients=[world.town_admin_a], title="无地址", body="")
    assert rows[0].channels == {}
    settings.NOTIFY_WEBHOOK_URL = "http://127.0.0.1:9/robot"
    settings.NOTIFY_WEBHOOK_KIND = "feishu"
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(recipients=[world.town_admin_a], title="未知类型", body="")
    row = Notification.objects.get(pk=rows[0].pk)
    assert row.channels["webhook"]["status"] == "failed" and "NOTIFY_WEBHOOK_KIND" in row.channels["webhook"]["error"]
    settings.NOTIFY_WEBHOOK_URL = "file:///etc/passwd"
    settings.NOTIFY_WEBHOOK_KIND = "wecom"
    assert deliver(str(row.batch))["failed"] == 1


# --- SMS ----------------------------------------------------------------------------------------


def test_sms_only_when_asked_and_only_to_phones(world, sms, django_capture_on_commit_callbacks):
    no_phone = UserFactory(phone="")
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.town_admin_a], title="普通通知", body="不发短信")
        rows = notify(
            recipients=[world.town_admin_a, no_phone], title="紧急", body="立即撤离", sms=True, level="danger"
        )
    assert sms == [(world.town_admin_a.phone, "紧急：立即撤离")]
    by_user = {r.recipient_id: Notification.objects.get(pk=r.pk).channels for r in rows}
    assert by_user[world.town_admin_a.pk]["sms"]["status"] == "sent"
    assert by_user[no_phone.pk]["sms"]["status"] == "skipped"
    deliver(str(rows[0].batch))
    assert len(sms) == 1  # rerun: nothing sent twice


def test_sms_disabled_sender_sends_nothing(world, sms, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_SENDERS = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = notify(recipients=[world.town_admin_a], title="t", body="b", sms=True)
    assert sms == [] and callbacks == [] and rows[0].channels == {}


class BrokenSms(MemorySmsBackend):
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway down")


def test_sms_failure_is_recorded(world, sms, settings, caplog, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = f"{__name__}.BrokenSms"
    with caplog.at_level(logging.CRITICAL, logger="huey"), django_capture_on_commit_callbacks(execute=True):
        rows = notify(recipients=[world.town_admin_a], title="t", body="b", sms=True)
    channel = Notification.objects.get(pk=rows[0].pk).channels["sms"]
    assert channel["status"] == "failed" and "gateway down" in channel["error"]
    settings.SMS_BACKEND = "anjian.core.notify.MemorySmsBackend"
    deliver(str(rows[0].batch))
    assert len(sms) == 1


def test_log_sms_backend_masks_the_phone(caplog):
    with caplog.at_level(logging.INFO, logger="anjian.notify"):
        LogSmsBackend().send("13912345678", "测试短信")
    assert "139****5678" in caplog.text and "13912345678" not in caplog.text


def test_sms_text_is_short(world):
    row = Notification(title="标题", body="很长" * 400)
    assert len(notify_module.sms_text(row)) == notify_module.SMS_MAX_CHARS


@pytest.mark.django_db(transaction=True)
def test_real_commit_delivers(robot):
    # No test transaction around it: the on_commit hook runs on a real COMMIT.
    user = UserFactory()
    with transaction.atomic():
        notify(recipients=[user], title="真实提交", body="")
        assert robot.requests == []
    assert len(robot.requests) == 1
    assert Notification.objects.get().channels["webhook"]["status"] == "sent"


# --- inbox pages ----------------------------------------------------------------------------------


def test_inbox_lists_only_own_messages_unread_first(client, world, django_assert_max_num_queries):
    notify(recipients=[world.town_admin_a], title="未读一", body="")
    notify(recipients=[world.town_admin_a], title="未读二", body="")
    read = notify(recipients=[world.town_admin_a], title="已读消息", body="")[0]
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    notify(recipients=[world.town_admin_b], title="别人的消息", body="")
    for i in range(25):
        notify(recipients=[world.grid_inspector_a], title=f"批量{i}", body="")
    client.force_login(world.town_admin_a)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("portal:inbox")).content.decode()
    assert "别人的消息" not in page
    # Unread first (newest first among them), then the read ones, although "已读消息" is the newest.
    assert page.index("未读二") < page.index("未读一") < page.index("已读消息")
    unread_only = client.get(reverse("portal:inbox"), {"show": "unread"}).content.decode()
    assert "已读消息" not in unread_only and "未读一" in unread_only
    # Paginated, and the navbar badge counts unread messages.
    client.force_login(world.grid_inspector_a)
    page = client.get(reverse("portal:inbox")).content.decode()
    assert page.count('id="notification-') == 20
    assert 'id="inbox-badge"' in page and ">25<" in page
    results = client.get(reverse("portal:inbox"), {"page": 2}, headers={"HX-Request": "true", "HX-Target": "results"})
    assert results.content.decode().count('id="notification-') == 5 and "<html" not in results.content.decode()


def test_badge_shows_on_every_page(client, world):
    for _ in range(3):
        notify(recipients=[world.town_admin_a], title="x", body="")
    client.force_login(world.town_admin_a)
    html = client.get(reverse("home")).content.decode()
    assert 'id="nav-inbox"' in html and ">3<" in html.split('id="inbox-badge"')[1][:200]


def test_mark_read_htmx_returns_item_and_badge(client, world):
    first, second = (notify(recipients=[world.town_admin_a], title=t, body="")[0] for t in ("一", "二"))
    client.force_login(world.town_admin_a)
    response = client.post(reverse("portal:inbox-read", args=[first.pk]), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="notification-{first.pk}"' in html and "fw-semibold" not in html.split("inbox-badge")[0]
    assert 'hx-swap-oob="true"' in html and ">1<" in html
    first.refresh_from_db()
    assert first.read_at is not None
    response = client.post(reverse("portal:inbox-read-all"), headers={"HX-Request": "true"})
    assert Notification.objects.filter(recipient=world.town_admin_a, read_at__isnull=True).count() == 0
    assert 'id="inbox-badge"' in response.content.decode() and "d-none" in response.content.decode()
    second.refresh_from_db()
    assert second.read_at is not None


def test_mark_read_without_htmx_redirects(client, world):
    row = notify(recipients=[world.town_admin_a], title="一", body="")[0]
    client.force_login(world.town_admin_a)
    response = client.post(reverse("portal:inbox-read", args=[row.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("portal:inbox")
    response = client.post(reverse("portal:inbox-read-all"))
    assert response.status_code == 302


def test_opening_a_message_marks_it_read_and_follows_a_local_link(client, world):
    local = notify(recipients=[world.town_admin_a], title="本站", body="", url="/enterprises/")[0]
    outside = notify(recipients=[world.town_admin_a], title="外站", body="", url="https://evil.example/x")[0]
    client.force_login(world.town_admin_a)
    assert client.get(reverse("portal:inbox-read", args=[local.pk]))["Location"] == "/enterprises/"
    assert client.get(reverse("portal:inbox-read", args=[outside.pk]))["Location"] == reverse("portal:inbox")
    local.refresh_from_db()
    assert local.read_at is not None


def test_another_users_message_is_404(client, world):
    row = notify(recipients=[world.town_admin_a], title="私信", body="")[0]
    for outsider in (world.town_admin_b, world.platform_admin):
        client.force_login(outsider)
        assert client.get(reverse("portal:inbox-read", args=[row.pk])).status_code == 404
        assert client.post(reverse("portal:inbox-read", args=[row.pk])).status_code == 404
        assert "私信" not in client.get(reverse("portal:inbox")).content.decode()
        client.post(reverse("portal:inbox-read-all"))
    row.refresh_from_db()
    assert row.read_at is None


def test_inbox_needs_login(client):
    assert client.get(reverse("portal:inbox")).status_code == 302
