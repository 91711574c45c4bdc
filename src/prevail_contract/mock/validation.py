"""Schema checks of an edit's body (422): the all-three rule, then the spec's own schema.

The schema check is the spec's ``EditSessionRequest``, compiled twice: in jsonschema-rs, which
decides quickly that a body is valid, and through ``ecma`` and ``bounded`` (jsonschema, formats
checked, huge arrays refused for their length alone), which runs only for a body the first
refuses and whose first errors ``explain`` turns into ``details``.
``tests/test_mock_fast_validation.py`` holds the two to the same verdicts. The all-three rule
is its own check (``check_schedule``) because it must answer
``incomplete_schedule``, wherever ``x-check-order`` puts it; the schema check leaves the
errors of its keywords (those ``x-violation-rules`` files under ``schedule-all-three``) to it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import jsonschema
import jsonschema_rs

from prevail_contract.mock import ecma
from prevail_contract.mock.bounded import bounded
from prevail_contract.mock.errors import ApiError, Detail, error_limits
from prevail_contract.mock.explain import MAX_DETAILS, Explainer
from prevail_contract.mock.json_syntax import scan
from prevail_contract.spec import FORMAT_CHECKER, SHARED_FORMATS, Spec
from prevail_contract.spec.violation_rules import ANNOTATION

SCHEDULE_RULE = "schedule-all-three"
#: The explaining validator: ECMA-262 patterns, bounded keywords.
ExplainingValidator = bounded(ecma.EcmaValidator)
FORMATS_RULE = "field-formats"
#: The assumed grammar of an invite address (the documented form is ``field-formats``').
EMAIL_RULE = "email-grammar"
#: The keywords that state a field's form (a planted bug overlooks nothing else).
FORM_KEYWORDS = ("pattern", "format", "enum")
#: What each planted body bug overlooks: errors that break its rule and no rule outside these
#: (by the spec's ``x-violation-rules``). The format bug overlooks the email grammar where the
#: documented form is broken too: such an address is always outside the grammar as well.
OVERLOOKED = {FORMATS_RULE: {FORMATS_RULE, EMAIL_RULE}, EMAIL_RULE: {EMAIL_RULE}}


def inline_refs(spec: Spec, node: Any) -> Any:
    """``node`` with every local ``$ref`` replaced by its target (the spec's schemas are not
    recursive), built once at start: validating then skips the registry look-ups, which
    otherwise take half of the validation time.
    """
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str):
            local = ref.split("#", 1)[1] if "#" in ref else ref
            target = inline_refs(spec, spec.resolve("#" + local))
            siblings = {k: inline_refs(spec, v) for k, v in node.items() if k != "$ref"}
            return {"allOf": [target], **siblings} if siblings else target
        return {k: inline_refs(spec, v) for k, v in node.items()}
    if isinstance(node, list):
        return [inline_refs(spec, v) for v in node]
    return node


class BodyValidator:
    """Checks an ``EditSessionRequest`` body against the spec; built once per app."""

    def __init__(self, spec: Spec, bugs: Collection[str] = ()) -> None:
        self.spec = spec
        self.bugs = frozenset(bugs)
        schema = inline_refs(spec, spec.schema_ref("EditSessionRequest"))
        #: Patterns read as ECMA-262 (``$`` is the end of the text), as jsonschema-rs does;
        #: an array over its ``maxItems`` is refused for its length alone (``bounded``).
        self.validator = ExplainingValidator(schema, format_checker=FORMAT_CHECKER)
        #: Details one refusal lists at most: the spec's ``Error.details.maxItems``.
        self.max_details = error_limits(spec).details or MAX_DETAILS
        #: The same schema in the Rust validator: a body it accepts skips the Python pass,
        #: which is only needed to explain a refusal (25x faster on the hot path).
        self.fast = jsonschema_rs.Draft202012Validator(
            schema, validate_formats=True, formats=dict(SHARED_FORMATS)
        )
        self.explainer = Explainer(spec)
        self.envelope_name = self.explainer.envelope
        schemas = spec.document["components"]["schemas"]
        edit = schemas["RemoteSessionEdit"]
        #: The fields an edit may change (``RemoteSessionEdit``'s properties).
        self.edit_fields = frozenset(edit["properties"])
        #: The schedule fields that go together (the schema's ``dependentRequired`` keys).
        self.schedule_fields: tuple[str, ...] = tuple(edit.get("dependentRequired") or ())
        #: The edit field holding a Rails zone name (the one whose schema is ``TimeZoneName``).
        self.schedule_zone_field: str | None = next(
            (
                name
                for name, node in edit["properties"].items()
                if str(node.get("$ref", "")).endswith("/TimeZoneName")
            ),
            None,
        )
        #: Where planted ``field-formats`` overlooks forms: the schedule fields and the
        #: invite objects' email member (found by its ``InviteEmail`` schema).
        invite = schemas["InviteObject"]["properties"]
        self.format_fields = frozenset(self.schedule_fields) | {
            name
            for name, node in invite.items()
            if str(node.get("$ref", "")).endswith("/InviteEmail")
        }
        #: Invitees one Session may have over all its edits (``Session.invites.maxItems``).
        self.max_invitees: int | None = schemas["Session"]["properties"]["invites"].get("maxItems")

    def enveloped(self, document: Any) -> Any:
        """The body as the checks read it (planted ``request-envelope``: a bare edit is
        taken as if it were wrapped)."""
        if (
            "request-envelope" in self.bugs
            and isinstance(document, dict)
            and self.envelope_name not in document
        ):
            return {self.envelope_name: document}
        return document

    def check_schedule(self, document: Any) -> None:
        """422 ``incomplete_schedule`` unless the schedule fields come all together or not at
        all (rule ``schedule-all-three``); a body of another shape is left to ``validate``."""
        edit = document.get(self.envelope_name) if isinstance(document, dict) else None
        if not isinstance(edit, dict):
            return
        sent = [f for f in self.schedule_fields if f in edit]
        if not sent or len(sent) == len(self.schedule_fields):
            return
        missing = [f for f in self.schedule_fields if f not in edit]
        together = ", ".join(self.schedule_fields[:-1]) + f" and {self.schedule_fields[-1]}"
        sent_text = " or ".join(sent)
        raise ApiError.for_rule(
            self.spec,
            SCHEDULE_RULE,
            f"To change the schedule send {together} together; missing: {', '.join(missing)}.",
            [
                Detail(f"{self.envelope_name}.{m}", f"Required when {sent_text} is sent.")
                for m in missing
            ],
        )

    def validate(self, document: Any) -> dict[str, Any]:
        """The edit object of a valid body, or a 422 ``ApiError`` (``validation_failed``)."""
        details = scan(document, self.max_details)
        complete = len(details) < self.max_details
        if not details and not self.fast.is_valid(document):
            errors = self.validator.iter_errors(document)
            details, complete = self.explainer.explain(
                (e for e in errors if not self._ignored(e)), self.max_details
            )
        if details:
            root = [d for d in details if not d.field]
            if root:
                raise ApiError.for_rule(
                    self.spec,
                    "request-envelope",
                    f'The request body must be a JSON object {{"{self.envelope_name}": '
                    "{...}}; " + root[0].message,
                )
            count = len({d.field for d in details})
            noun = "field" if count == 1 else "fields"
            how_many = f"{count} invalid {noun}" if complete else f"at least {count} invalid {noun}"
            raise ApiError.for_rule(
                self.spec, "field-formats", f"The request body has {how_many}.", details
            )
        edit = document[self.envelope_name]
        assert isinstance(edit, dict)
        # the fields the schema defines: where unknown ones are not refused (the documented-only
        # reading), they are ignored, never stored
        return {name: value for name, value in edit.items() if name in self.edit_fields}

    def check_invitee_total(self, count: int) -> None:
        """422 if an edit would leave a Session with more invitees than the spec allows."""
        if self.max_invitees is not None and count > self.max_invitees:
            raise ApiError.for_rule(
                self.spec,
                "field-limits",
                f"A Session has at most {self.max_invitees} invitees; this edit would make "
                f"{count}.",
                [
                    Detail(
                        f"{self.envelope_name}.invites",
                        f"Would pass {self.max_invitees} invitees.",
                    )
                ],
            )

    def _ignored(self, error: jsonschema.ValidationError) -> bool:
        """Errors left to another check (the all-three rule's) or overlooked by a planted bug."""
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        if (schema.get(ANNOTATION) or {}).get(error.validator) == SCHEDULE_RULE:
            return True
        for bug, rules in OVERLOOKED.items():
            if bug not in self.bugs or not error.path:
                continue
            if error.validator == "oneOf":
                # an invite item: the format bug overlooks only plain addresses
                where = bug == EMAIL_RULE or isinstance(error.instance, str)
            else:
                where = error.validator in FORM_KEYWORDS and error.path[-1] in self.format_fields
            named = _rules_of(error) if where else set()
            if bug in named and named <= rules:
                return True
        return False


def _rules_of(error: jsonschema.ValidationError) -> set[str]:
    """The rules an error breaks by the spec's annotations (a failed ``oneOf``: those of the
    branch meant for the value's JSON type); empty when some part names none."""
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    entry = (schema.get(ANNOTATION) or {}).get(error.validator)
    if isinstance(entry, str):
        return {entry}
    if isinstance(entry, list):
        for case in entry:
            when = case.get("when") if isinstance(case, Mapping) else None
            if when is None or jsonschema.Draft202012Validator(when).is_valid(error.instance):
                return {str(case.get("rule"))}
        return set()
    if error.validator in ("oneOf", "anyOf") and error.context:
        branches: dict[Any, list[jsonschema.ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        fitting = [
            subs
            for subs in branches.values()
            if not any(s.validator == "type" and not s.relative_path for s in subs)
        ]
        found: set[str] = set()
        for sub in (s for subs in fitting or branches.values() for s in subs):
            rules = _rules_of(sub)
            if not rules:
                return set()
            found |= rules
        return found
    return set()
