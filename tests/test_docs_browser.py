"""The built docs page in a real browser: opened from disk, offline, it shows the whole contract.

Expectations are taken from the spec, so the test follows the spec rather than repeating it.
The run leaves ``build/docs-test/screenshot.png`` (and the page in ``build/docs-test/site/``)
for a reviewer to look at.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from prevail_contract.spec import Spec
from tests.plugins.docs import ANCHOR, PageVisit

pytestmark = pytest.mark.browser


def readable(text: str) -> str:
    """Text as a reader sees it: no zero-width breaks, single spaces."""
    return " ".join(text.replace("\u200b", "").split())


def markdown_as_text(markdown: str) -> str:
    return readable(markdown.replace("`", "").replace("**", ""))


def visible(visit: PageVisit) -> str:
    return readable(visit.text)


def test_operation_and_its_path_parameter_are_shown(browser_visit: PageVisit, spec: Spec) -> None:
    text = visible(browser_visit)
    operation = spec.operation_by_id("edit_session").node
    assert operation["summary"] in text
    assert "PATCH" in text
    assert "/sessions/{remote_session_id}" in text
    parameter = spec.deref(spec.document["paths"]["/sessions/{remote_session_id}"]["parameters"][0])
    schema = parameter["schema"]
    assert f"{parameter['name']} string, [ {schema['minLength']} .. {schema['maxLength']} ]" in text
    assert schema["pattern"] in text
    assert markdown_as_text(parameter["description"]) in text


def test_authentication_shows_how_to_build_the_jwt(browser_visit: PageVisit, spec: Spec) -> None:
    text = visible(browser_visit)
    assert "Authentication" in text
    for name, scheme in spec.document["components"]["securitySchemes"].items():
        assert name in text
        for line in scheme["description"].splitlines():
            line = markdown_as_text(line.lstrip("- "))
            if line:
                assert line in text, line


def test_every_request_field_with_its_format_and_limits(
    browser_visit: PageVisit, spec: Spec
) -> None:
    text = visible(browser_visit)
    fields = spec.document["components"]["schemas"]["RemoteSessionEdit"]["properties"]
    for name in fields:
        assert f"remote_session.{name}" in text, name
    title = fields["title"]
    assert f"[ {title['minLength']} .. {title['maxLength']} ] characters" in text
    assert fields["start_time"]["pattern"] in text
    assert fields["start_date"]["pattern"] in text
    assert f"({fields['start_date']['format']})" in text
    assert f"<= {fields['invites']['maxItems']} items" in text
    duration = fields["estimated_duration"]
    assert f"multiple of {duration['multipleOf']}" in text
    assert f"( {duration['exclusiveMinimum']} .. {duration['maximum']} ]" in text
    assert "Pacific Time (US & Canada)" in text


def test_invite_item_variants(browser_visit: PageVisit, spec: Spec) -> None:
    variants = [
        ref["$ref"].rsplit("/", 1)[1]
        for ref in spec.document["components"]["schemas"]["InviteItem"]["oneOf"]
    ]
    text = visible(browser_visit)
    assert "One of:" in text
    for variant in variants:
        assert variant in text
    object_variant = readable(browser_visit.tab_texts["InviteObject"])
    invite_object = spec.document["components"]["schemas"]["InviteObject"]["properties"]
    for name in invite_object:
        assert name in object_variant
    for level in spec.document["components"]["schemas"]["AccessLevel"]["enum"]:
        assert f'"{level}"' in object_variant


def example_phrase(value: Any) -> str:
    """A phrase of an example that only its own sample shows: the longest unquoted run."""
    if isinstance(value, dict) and isinstance(value.get("messages"), str):
        return max(re.split(r"[\"\\]", readable(value["messages"])), key=len).strip()
    assert isinstance(value, dict)
    return str(value["sessions"][0]["provider_specific_details"]["password"])


def test_every_response_status_with_its_example(browser_visit: PageVisit, spec: Spec) -> None:
    responses = spec.operation_by_id("edit_session").node["responses"]
    first_text = visible(browser_visit)
    for status, response in responses.items():
        examples = spec.deref(response)["content"]["application/json"]["examples"]
        first = spec.deref(next(iter(examples.values())))
        phrase = example_phrase(first["value"])
        assert status in browser_visit.tab_texts, f"no tab for response {status}"
        shown = readable(browser_visit.tab_texts[status])
        assert phrase in shown, f"response {status}: example phrase {phrase!r} not shown"
        if status != "200":
            assert phrase not in first_text, f"{phrase!r} visible before choosing {status}"
    # The 200 example is what the page shows first.
    assert example_phrase(spec.example("EditResponseDocumented").value) in first_text
    assert '"remote_session_id": "example-remote-session-id"' in first_text


def test_business_rules_are_shown_with_their_anchors(browser_visit: PageVisit, spec: Spec) -> None:
    text = visible(browser_visit)
    assert "Business rules" in text
    for rule in spec.rules:
        assert rule.id in text
        assert markdown_as_text(rule.statement) in text, rule.id
        assert f"rule-{rule.id}" in browser_visit.element_ids
    all_three = spec.rule("schedule-all-three")
    row = next(line for line in browser_visit.text.splitlines() if line.startswith(all_three.id))
    assert markdown_as_text(all_three.statement) in readable(row)
    assert "documented" in row
    assert f"{all_three.status} {all_three.code}" in readable(row)


def test_the_page_opens_at_its_introduction(browser_visit: PageVisit, spec: Spec) -> None:
    opening = browser_visit.opening
    assert opening["scrollY"] == 0, f"the page opened scrolled down by {opening['scrollY']}px"
    assert opening["heading"], "the introduction is not rendered at the top of the page"
    assert readable(opening["heading"]).startswith(spec.document["info"]["title"])
    assert 0 <= opening["top"] < opening["bottom"] <= opening["viewport"]
    assert opening["firstHoldsHeading"], "an empty placeholder sits above the introduction"
    band = opening["top"] - opening["contentTop"]
    assert band < 80, f"{band}px of blank space above the introduction's heading"


def test_a_rule_anchor_opens_the_page_at_that_rule(browser_visit: PageVisit) -> None:
    assert browser_visit.anchor_top is not None, f"#{ANCHOR} never appeared"
    assert 0 <= browser_visit.anchor_top < 300, f"#{ANCHOR} rests at {browser_visit.anchor_top}px"


def test_search_works_offline(browser_visit: PageVisit) -> None:
    found = readable(" ".join(browser_visit.search_results))
    assert "org-ownership" in found, browser_visit.search_results


def test_nothing_left_the_machine(browser_visit: PageVisit) -> None:
    outside = [
        url
        for url in browser_visit.page_requests
        if not url.startswith(("file:", "data:", "blob:"))
    ]
    assert outside == [], f"the page requested {outside}"
    assert browser_visit.page_requests[0].startswith("file:")
    refused = [line for line in browser_visit.console if "Content Security Policy" in line]
    assert refused == [], f"the page tried to load from outside: {refused}"
    errors = [line for line in browser_visit.console if line.startswith(("exception", "log error"))]
    assert errors == [], errors
    assert browser_visit.egress_events == [], browser_visit.egress_events
    if browser_visit.browser_requests:
        # Chromium's own background calls (update, time, accounts) were resolved to nothing.
        print(f"blocked Chromium background requests: {len(browser_visit.browser_requests)}")


def test_screenshot_was_taken(browser_visit: PageVisit) -> None:
    assert browser_visit.screenshot is not None
    data = browser_visit.screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == browser_visit.screenshot_size
    assert height > 3000, "the screenshot should hold the whole page"
