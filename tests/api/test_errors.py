"""Errors keep one shape, `{"error", "detail", "fields"}`, with a Chinese `detail`, whatever goes wrong."""


def test_it_answers_unknown_paths_in_json(w, api_as):
    client = api_as(w.users["member"])
    for path in ("/api/v1/nope", "/api/v1/members/abc", "/api/v1/members/"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert r.json() == {"error": "not_found", "detail": f"没有这个接口：{path}", "fields": {}}


def test_it_explains_malformed_json_in_chinese(w, api_as):
    r = api_as(w.users["member"]).post("/api/v1/registrations", "{bad", content_type="application/json")
    assert r.status_code == 400
    assert r.json() == {"error": "invalid", "detail": "请求内容无法解析，请提交有效的 JSON。", "fields": {}}


def test_it_explains_a_wrong_method_in_chinese(w, api_as):
    r = api_as(w.users["member"]).delete("/api/v1/members")
    assert r.status_code == 405
    assert r.json() == {"error": "method_not_allowed", "detail": "不支持该请求方法。", "fields": {}}


def test_it_explains_a_missing_token_in_chinese(db, anon):
    r = anon.get("/api/v1/members")
    assert r.status_code == 401
    assert r.json() == {
        "error": "unauthenticated",
        "detail": "请先登录，或在请求头中提供有效令牌。",
        "fields": {},
    }


def test_it_explains_too_long_values_in_chinese(w, api_as):
    r = api_as(w.users["member"]).post(
        "/api/v1/registrations", {"community": "C1", "address": "楼" * 201}, format="json"
    )
    assert r.status_code == 400
    assert r.json()["fields"] == {"address": ["请确保这个字段不能超过 200 个字符。"]}
    assert r.json()["detail"] == "请求数据不正确：请确保这个字段不能超过 200 个字符。"


def test_it_answers_a_page_past_the_end_with_404(w, api_as):
    r = api_as(w.users["member"]).get("/api/v1/members", {"page": 9})
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"
