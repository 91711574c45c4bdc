"""The docs page shows, per field, which constraints Prevail documents and which are assumed."""

from __future__ import annotations

import copy

from prevail_contract.docs import BuiltDocs
from prevail_contract.docs.provenance import TITLE, provenance_markdown
from prevail_contract.spec import Spec


def _rows(markdown: str, field: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith(f"| {field} |")]


def test_each_request_constraint_has_its_source_and_rule(spec: Spec) -> None:
    section = provenance_markdown(spec)
    title = _rows(section, "remote_session.title")
    assert any("`type: string`" in r and "documented" in r and "field-formats" in r for r in title)
    assert any(
        "`maxLength: 255`" in r and "**assumed**" in r and "field-limits" in r for r in title
    )
    email = _rows(section, "remote_session.invites[] (InviteEmail)")
    documented = [r for r in email if "documented" in r]
    assumed = [r for r in email if "**assumed**" in r]
    assert any("`pattern`" in r and "field-formats" in r for r in documented), email
    assert {"`format: email`", "`maxLength: 254`"} <= {r.split(" | ")[1] for r in assumed}
    assert all("email-grammar" in r for r in assumed), assumed
    envelope = _rows(section, "remote_session")
    assert any("`minProperties: 1`" in r and "**assumed**" in r for r in envelope), envelope
    # a case list: the Rails names documented, the IANA ids an assumed case of the same enum
    zone = _rows(section, "remote_session.time_zone")
    assert sum("`enum`" in r for r in zone) == 2
    assert any("values matching" in r and "**assumed**" in r for r in zone), zone


def test_each_answered_constraint_has_its_source(spec: Spec) -> None:
    section = provenance_markdown(spec)
    sessions = _rows(section, "sessions")
    assert any("`minItems: 1`" in r and "documented" in r and "response-envelope" in r
               for r in sessions)  # fmt: skip
    assert any("`maxItems: 1`" in r and "**assumed**" in r and "response-shape" in r
               for r in sessions)  # fmt: skip
    assert any("`maxItems: 100`" in r and "**assumed**" in r for r in sessions)  # the list's


def test_a_spec_edit_changes_the_table(spec: Spec) -> None:
    document = copy.deepcopy(spec.document)
    title = document["components"]["schemas"]["RemoteSessionEdit"]["properties"]["title"]
    title["maxLength"] = 100
    title["x-violation-rules"]["maxLength"] = "field-formats"
    section = provenance_markdown(Spec(document))
    row = next(r for r in _rows(section, "remote_session.title") if "maxLength" in r)
    assert "`maxLength: 100`" in row
    assert "documented" in row
    assert "field-formats" in row


def test_the_page_carries_the_section(built_docs: BuiltDocs) -> None:
    html = built_docs.page.read_text(encoding="utf-8")
    assert TITLE in html
    assert "email-grammar" in html
