"""Pages work offline and under the Content Security Policy: our own stylesheet, served by the
application; no external assets, no inline styles or scripts."""

import re

import pytest

PAGES = [
    (None, "/login/"),
    (None, "/c/C1/"),
    (None, "/nope/"),
    ("member", "/me/"),
    ("member", "/me/apply/"),
    ("member", "/me/profile/"),
    ("community_admin", "/community/C1/registrations/"),
    ("community_admin", "/members/{pk}/"),
    ("unit_admin", "/unit/U1/members/"),
    ("street_admin", "/coverage/S1/"),
]


def test_it_serves_the_stylesheet_itself(client):
    r = client.get("/static/web/site.css")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/css")
    css = b"".join(r.streaming_content) if r.streaming else r.content
    assert b"font-size: 112.5%" in css and b".w-100" in css


@pytest.mark.parametrize("role,url", PAGES)
def test_it_uses_only_local_assets_and_no_inline_code(client, as_user, w, role, url):
    if role:
        client = as_user(w.users[role])
    r = client.get(url.format(pk=w.members["member"].pk))
    html = r.text
    assert '<link rel="stylesheet" href="/static/web/site.css">' in html
    assert '<html lang="zh-CN">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    # Scripts only as files the application serves, or data for them (json_script), never inline code.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert re.fullmatch(
            r'<script src="/static/[^"]+\.js" defer>|<script id="[\w-]+" type="application/json">', tag
        )
    assert not re.search(r"<script\b(?![^>]*type=\"application/json\")[^>]*>[^<]", html)
    assert " style=" not in html and "<style" not in html
    assert "default-src 'self'" in r["Content-Security-Policy"]


@pytest.mark.parametrize("role,url", PAGES[3:])
def test_it_labels_every_input(as_user, w, role, url):
    html = as_user(w.users[role]).get(url.format(pk=w.members["member"].pk)).text
    ids = set(re.findall(r'<label for="([^"]+)"', html))
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in tag or 'type="submit"' in tag:
            continue
        field_id = re.search(r'id="([^"]+)"', tag)
        if field_id is None:
            assert f"<label>{tag}" in html, f"unlabelled {tag} on {url}"  # wrapped in its label
        else:
            assert field_id.group(1) in ids, f"unlabelled {tag} on {url}"
