"""Fixtures for the docs tests: built docs pages and a headless Chromium that opens them offline.

The browser is driven over the DevTools protocol through ``--remote-debugging-pipe`` (JSON
messages separated by NUL bytes on file descriptors 3 and 4), which needs no websocket client
and so no new dependency; the page's own requests come from the protocol's Network domain,
and the browser-wide proof that nothing left the machine from Chromium's ``--log-net-log``.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from prevail_contract.docs import BuiltDocs, build_docs
from prevail_contract.spec import paths

#: Where the browser test leaves the page it opened and its screenshot (build/ is gitignored).
DOCS_TEST_DIR = paths.REPO_ROOT / "build" / "docs-test"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = (
    "headless Chromium is not installed, so the docs browser test cannot run. Install it "
    "with `apt-get update && apt-get install -y chromium` (Debian/Ubuntu; `.ci/run` does "
    "this in CI) or put a Chromium/Chrome binary named one of "
    f"{', '.join(CHROMIUM_NAMES)} on PATH"
)
#: Every outside host resolves to nothing; only loopback stays reachable.
OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)
#: Net-log events that only happen when bytes go out over a socket (or a DNS query is sent).
NETWORK_EGRESS_EVENTS = (
    "TCP_CONNECT",
    "TCP_CONNECT_ATTEMPT",
    "SSL_CONNECT",
    "SOCKET_BYTES_SENT",
    "UDP_BYTES_SENT",
    "HTTP_TRANSACTION_SEND_REQUEST",
    "HOST_RESOLVER_DNS_TASK",
)
VIEWPORT_WIDTH = 1600
#: A rule anchor far down the rules table, opened as ``index.html#<ANCHOR>``.
ANCHOR = "rule-rejected-changes-nothing"
#: A word typed into the page's search box (it occurs in the org-ownership rule).
SEARCH_QUERY = "ownership"
MAX_SCREENSHOT_HEIGHT = 30000


@dataclass
class PageVisit:
    """What the browser saw and did while showing a page."""

    #: ``document.body.innerText`` once the page had settled: the text a reader sees.
    text: str
    #: Ids of elements in the rendered DOM.
    element_ids: set[str]
    #: URLs the page asked for (DevTools Network domain), in order.
    page_requests: list[str]
    #: Console messages, log entries and uncaught exceptions of the page.
    console: list[str]
    #: Net-log events of the whole browser that mean bytes left over a socket.
    egress_events: list[str]
    #: URLs Chromium itself (not the page) tried; the resolver rules blocked them.
    browser_requests: list[str] = field(default_factory=list)
    screenshot: Path | None = None
    screenshot_size: tuple[int, int] = (0, 0)
    #: The page text after clicking each tab (response statuses, ``oneOf`` variants), by label.
    tab_texts: dict[str, str] = field(default_factory=dict)
    #: Lines the search box added to the page after typing :data:`SEARCH_QUERY`.
    search_results: list[str] = field(default_factory=list)
    #: Where :data:`ANCHOR` ended up (px from the viewport top) when the page was opened at
    #: ``index.html#<ANCHOR>`` in a 1000 px high window; None if it never appeared.
    anchor_top: float | None = None
    #: How the page stood once it had settled after opening at its plain address, before
    #: anything was done to it (see :data:`OPENING`).
    opening: dict[str, Any] = field(default_factory=dict)


#: What a reader sees first: the scroll position, and the introduction's heading (the first
#: ``h1`` of Redoc's content column), where it is and whether anything comes before it.
OPENING = """(() => {
  const content = document.querySelector('.api-content');
  const heading = content ? content.querySelector('h1') : null;
  const state = {scrollY: window.scrollY, viewport: window.innerHeight, heading: null};
  if (!heading) return state;
  const box = heading.getBoundingClientRect();
  return Object.assign(state, {
    heading: heading.textContent, top: box.top, bottom: box.bottom,
    contentTop: content.getBoundingClientRect().top,
    firstHoldsHeading: content.firstElementChild.contains(heading),
  });
})()"""


class DevToolsPipe:
    """A DevTools protocol connection over Chromium's ``--remote-debugging-pipe``."""

    def __init__(self, executable: str, flags: list[str], log_file: Path) -> None:
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def wire_fds() -> None:  # runs in the child between fork and exec
            # Move both ends above 10 first so that neither is overwritten by the other's dup2,
            # then place them at 3 and 4 without close-on-exec.
            read_end = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD, 10)
            write_end = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD, 10)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self._log = log_file.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [executable, *flags, "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            close_fds=False,
            preexec_fn=wire_fds,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                self._messages.put(None)
                return
            buffer += chunk
            *complete, buffer = buffer.split(b"\0")
            for raw in complete:
                self._messages.put(json.loads(raw))

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session: str | None = None,
        timeout: float = 15.0,
    ) -> dict[str, Any]:
        """Send one command and wait for its answer, keeping the events that arrive meanwhile."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._next(deadline, f"the answer to {method}")
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"DevTools {method} failed: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    def wait_for_event(self, method: str, timeout: float = 15.0) -> dict[str, Any]:
        """Wait for an event (one that already arrived counts)."""
        deadline = time.monotonic() + timeout
        seen = len(self.events)
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            self._next(deadline, f"the event {method}")
            for event in self.events[seen:]:
                if event.get("method") == method:
                    return event
            seen = len(self.events)

    def _next(self, deadline: float, what: str) -> dict[str, Any]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"Chromium did not send {what} in time")
        try:
            message = self._messages.get(timeout=remaining)
        except queue.Empty as exc:
            raise TimeoutError(f"Chromium did not send {what} in time") from exc
        if message is None:
            raise RuntimeError(f"Chromium closed the DevTools pipe while waiting for {what}")
        if "method" in message:
            self.events.append(message)
        return message

    def close(self) -> None:
        """Ask the browser to quit; kill it if it does not within a few seconds."""
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.call("Browser.close", timeout=5)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._log.close()


def find_chromium() -> str | None:
    """The Chromium or Chrome executable on this machine, if any."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def visit_offline(
    executable: str, page: Path, *, screenshot: Path | None = None, settle_timeout: float = 20.0
) -> PageVisit:
    """Open ``page`` from disk with every outside host blocked and record what happened."""
    with tempfile.TemporaryDirectory(prefix="prevail-chromium-") as tmp:
        net_log = Path(tmp) / "net-log.json"
        flags = [
            *OFFLINE_FLAGS,
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--log-net-log={net_log}",
            f"--window-size={VIEWPORT_WIDTH},1000",
        ]
        browser = DevToolsPipe(executable, flags, Path(tmp) / "chromium.log")
        try:
            visit = _drive(browser, page, screenshot, settle_timeout)
        finally:
            browser.close()
        visit.egress_events, visit.browser_requests = _read_net_log(net_log)
    return visit


def _drive(
    browser: DevToolsPipe, page: Path, screenshot: Path | None, settle_timeout: float
) -> PageVisit:
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
        "sessionId"
    ]
    for domain in ("Network", "Page", "Runtime", "Log"):
        browser.call(f"{domain}.enable", session=session)

    def evaluate(expression: str) -> Any:
        answer = browser.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session
        )
        return answer.get("result", {}).get("value")

    browser.call("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
    browser.wait_for_event("Page.loadEventFired", timeout=settle_timeout)
    _settle(evaluate, settle_timeout)
    opening = _steady(lambda: evaluate(OPENING), settle_timeout)
    # A tall viewport: Redoc mounts sections near the viewport only, so show them all.
    height = int(evaluate("document.documentElement.scrollHeight") or 1000)
    height = min(max(height, 1000), MAX_SCREENSHOT_HEIGHT)
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": VIEWPORT_WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    _settle(evaluate, settle_timeout)
    height = min(int(evaluate("document.documentElement.scrollHeight") or height), 30000)
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": VIEWPORT_WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    _settle(evaluate, settle_timeout)
    visit = PageVisit(
        text=str(evaluate("document.body.innerText")),
        element_ids=set(evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)") or []),
        page_requests=[],
        console=[],
        egress_events=[],
        opening=dict(opening or {}),
    )
    if screenshot is not None:
        shot = browser.call("Page.captureScreenshot", {"format": "png"}, session=session)
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        visit.screenshot = screenshot
        visit.screenshot_size = (VIEWPORT_WIDTH, height)
    tabs = "[...document.querySelectorAll('[role=tab]')]"
    for label in dict.fromkeys(evaluate(f"{tabs}.map(e => e.textContent.trim())") or []):
        evaluate(f"{tabs}.filter(e => e.textContent.trim() === {json.dumps(label)})[0].click()")
        _settle(evaluate, settle_timeout, polls=2, interval=0.1)
        visit.tab_texts[label] = str(evaluate("document.body.innerText"))
    before = set(str(evaluate("document.body.innerText")).splitlines())
    if evaluate("!!document.querySelector('[data-testid=search-trigger]')"):
        evaluate("document.querySelector('[data-testid=search-trigger]').click()")
        _settle(evaluate, settle_timeout, polls=2, interval=0.1)
        browser.call("Input.insertText", {"text": SEARCH_QUERY}, session=session)
        time.sleep(0.3)
        _settle(evaluate, settle_timeout, polls=3, interval=0.2)
        after = str(evaluate("document.body.innerText")).splitlines()
        visit.search_results = [line for line in after if line not in before]
    visit.anchor_top = _anchor_top(browser, session, page, evaluate, settle_timeout)
    for event in browser.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Network.requestWillBeSent":
            visit.page_requests.append(str(params["request"]["url"]))
        elif method == "Log.entryAdded":
            entry = params["entry"]
            visit.console.append(f"log {entry.get('level')}: {entry.get('text')}")
        elif method == "Runtime.consoleAPICalled":
            texts = [str(arg.get("value", arg.get("description", ""))) for arg in params["args"]]
            visit.console.append(f"console {params.get('type')}: {' '.join(texts)}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            description = details.get("exception", {}).get("description", details.get("text"))
            visit.console.append(f"exception: {description}")
    return visit


def _anchor_top(
    browser: DevToolsPipe,
    session: str,
    page: Path,
    evaluate: Callable[[str], Any],
    timeout: float,
) -> float | None:
    """Reload the page at ``#ANCHOR`` and return where the anchor rests (None: never shown)."""
    browser.call("Emulation.clearDeviceMetricsOverride", session=session)
    browser.call("Page.navigate", {"url": "about:blank"}, session=session)
    browser.call("Page.navigate", {"url": f"{page.resolve().as_uri()}#{ANCHOR}"}, session=session)
    deadline = time.monotonic() + timeout
    top: float | None = None
    steady = 0
    while time.monotonic() < deadline and steady < 5:
        # Only the box is read: reading innerText would make Chromium lay out lazy sections.
        now = evaluate(
            f"(() => {{ const e = document.getElementById({json.dumps(ANCHOR)});"
            " return e && document.readyState === 'complete' && location.hash.startsWith('#/')"
            " ? e.getBoundingClientRect().top : null; })()"
        )
        steady = steady + 1 if now is not None and now == top else 0
        top = now
        time.sleep(0.2)
    return top


def _steady(read: Callable[[], Any], timeout: float, interval: float = 0.2) -> Any:
    """The value ``read`` gives twice in a row (the last one read when ``timeout`` passes)."""
    deadline = time.monotonic() + timeout
    previous = read()
    while time.monotonic() < deadline:
        time.sleep(interval)
        current = read()
        if current == previous:
            return current
        previous = current
    return previous


def _settle(
    evaluate: Callable[[str], Any], timeout: float, *, polls: int = 3, interval: float = 0.2
) -> None:
    """Wait until the page text stops changing (hydration and lazy sections done)."""
    deadline = time.monotonic() + timeout
    previous, stable = None, 0
    while time.monotonic() < deadline:
        current = evaluate("document.body ? document.body.innerText : null")
        stable = stable + 1 if current == previous and current is not None else 0
        if stable >= polls:
            return
        previous = current
        time.sleep(interval)


def _read_net_log(net_log: Path) -> tuple[list[str], list[str]]:
    """Egress events and URLs the browser itself requested, from a Chromium net log."""
    text = net_log.read_text(encoding="utf-8").rstrip().rstrip(",")
    if not text.endswith("}"):  # a log cut short still has its events
        text = text.rstrip("]") + "]}"
    data = json.loads(text)
    names = {number: name for name, number in data["constants"]["logEventTypes"].items()}
    unknown = [
        name for name in NETWORK_EGRESS_EVENTS if name not in data["constants"]["logEventTypes"]
    ]
    if unknown:
        raise AssertionError(
            f"this Chromium's net log has no event types {unknown}; update the test"
        )
    egress, requested = [], []
    for event in data["events"]:
        name = names.get(event["type"], "")
        params = event.get("params") or {}
        if name in NETWORK_EGRESS_EVENTS:
            egress.append(f"{name} {json.dumps(params, sort_keys=True)}")
        if name == "URL_REQUEST_START_JOB" and "url" in params:
            requested.append(str(params["url"]))
    return egress, requested


def require_chromium() -> str:
    """The Chromium executable; a loud skip where it is missing, a failure when ``CI`` is set."""
    found = find_chromium()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {INSTALL_HINT}")
        print(f"\n*** SKIPPING THE DOCS BROWSER TEST: {INSTALL_HINT} ***")
        pytest.skip(INSTALL_HINT)
    return found


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium executable (see :func:`require_chromium`)."""
    return require_chromium()


@pytest.fixture(scope="session")
def built_docs(tmp_path_factory: pytest.TempPathFactory) -> BuiltDocs:
    """The docs of the repository's spec, built once per test session."""
    return build_docs(tmp_path_factory.mktemp("docs"))


@pytest.fixture(scope="session")
def browser_visit(chromium: str, built_docs: BuiltDocs) -> PageVisit:
    """The built page opened offline in headless Chromium, with a screenshot in build/docs-test/."""
    site = DOCS_TEST_DIR / "site"
    site.mkdir(parents=True, exist_ok=True)
    for built in (built_docs.page, built_docs.spec_yaml, built_docs.spec_json):
        shutil.copyfile(built, site / built.name)
    return visit_offline(chromium, site / "index.html", screenshot=DOCS_TEST_DIR / "screenshot.png")
