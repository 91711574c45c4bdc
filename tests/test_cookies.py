"""The suite's lean cookie jar: a cookie a target sets is still sent back, cookies held before
the swap are kept, and an answer that sets none is never parsed for cookies."""

from __future__ import annotations

from http.cookiejar import DefaultCookiePolicy

import httpx
import pytest

from prevail_contract.runtime.cookies import SetCookieOnly, lean_cookies


def _echo(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/set":
        return httpx.Response(200, headers={"Set-Cookie": "lb=node-2; Path=/"})
    return httpx.Response(200, json={"cookie": request.headers.get("cookie")})


def _client() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(_echo), base_url="http://target.invalid")


def test_a_cookie_the_target_sets_is_sent_back() -> None:
    with lean_cookies(_client()) as client:
        assert client.get("/echo").json() == {"cookie": None}
        client.get("/set")
        assert client.get("/echo").json() == {"cookie": "lb=node-2"}
        assert isinstance(client.cookies, SetCookieOnly)


def test_cookies_held_before_the_swap_are_kept() -> None:
    with _client() as client:
        client.get("/set")
        lean_cookies(client)
        assert client.get("/echo").json() == {"cookie": "lb=node-2"}


def test_only_answers_setting_a_cookie_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    plain = httpx.Cookies.extract_cookies

    def counted(self: httpx.Cookies, response: httpx.Response) -> None:
        parsed.append(response.request.url.path)
        plain(self, response)

    monkeypatch.setattr(httpx.Cookies, "extract_cookies", counted)
    with lean_cookies(_client()) as client:
        for _ in range(3):
            client.get("/echo")
        client.get("/set")
    assert parsed == ["/set"]
    with _client() as client:  # httpx's own jar parses every answer
        client.get("/echo")
    assert parsed == ["/set", "/echo"]


def test_an_rfc2965_cookie_is_read_when_the_jar_takes_them() -> None:
    def set_cookie2(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/set":
            return httpx.Response(200, headers={"Set-Cookie2": 'old="style"; Version="1"'})
        return httpx.Response(200, json={"cookie": request.headers.get("cookie")})

    for client in (
        httpx.Client(transport=httpx.MockTransport(set_cookie2), base_url="http://t.invalid"),
        lean_cookies(
            httpx.Client(transport=httpx.MockTransport(set_cookie2), base_url="http://t.invalid")
        ),
    ):
        with client:
            client.cookies.jar.set_policy(DefaultCookiePolicy(rfc2965=True))
            client.get("/set")
            assert len(client.cookies.jar) == 1


def test_a_cookie_that_cannot_be_sent_back_is_not_kept() -> None:
    # RFC 6265 allows US-ASCII only; httpx's own jar keeps such a cookie and then raises
    # UnicodeEncodeError building every later request
    def latin1(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/set":
            return httpx.Response(
                200, headers=[(b"set-cookie", b"lb=n\xe9; Path=/"), (b"set-cookie", b"ok=1")]
            )
        return httpx.Response(200, json={"cookie": request.headers.get("cookie")})

    transport = httpx.MockTransport(latin1)
    with httpx.Client(transport=transport, base_url="http://t.invalid") as plain:
        plain.get("/set")
        with pytest.raises(UnicodeEncodeError):
            plain.get("/echo")
    with lean_cookies(httpx.Client(transport=transport, base_url="http://t.invalid")) as client:
        client.get("/set")
        assert client.get("/echo").json() == {"cookie": "ok=1"}
