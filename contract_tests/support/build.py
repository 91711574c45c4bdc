"""Builds the run's :class:`~contract_tests.support.target.Target` from the ``PREVAIL_*``
variables: a guarded client to a live server (with the admin API of a served mock when
``PREVAIL_MOCK_ADMIN_URL`` names one), or a fresh in-process mock.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import httpx

from contract_tests.support.facts import facts
from contract_tests.support.mock_admin import (
    ADMIN_PREFIX,
    MockAdmin,
    World,
    served_admin,
    start_embedded,
)
from contract_tests.support.target import Target
from contract_tests.support.transport import Transport
from prevail_contract.runtime import tokens
from prevail_contract.runtime.bounds import RUN
from prevail_contract.runtime.config import (
    ENV_VARS,
    VARIABLES,
    TargetConfig,
    api_base,
    disposable_sessions,
    from_sources,
)
from prevail_contract.runtime.cookies import lean_cookies
from prevail_contract.runtime.exchange import RunRecord
from prevail_contract.runtime.guard import guard_client
from prevail_contract.runtime.repro import ReproContext
from prevail_contract.runtime.safety import InviteBudget, Masker
from prevail_contract.runtime.socket_deadline import bound_client
from prevail_contract.spec import Spec, load_spec
from prevail_contract.spec.operation_registry import operation_registry


def build_target(
    env: Mapping[str, str] | None = None,
    seed: int = 0,
    *,
    record: RunRecord | None = None,
    masker: Masker | None = None,
) -> Target:
    """The target the environment describes (the embedded mock when no base URL is set).

    ``record`` and ``masker`` are the run's (the rule recorder's); fresh ones by default.
    """
    env = dict(os.environ if env is None else env)
    spec = load_spec()
    config = from_sources(env)
    record = record or RunRecord()
    masker = masker or Masker()
    if config.embedded:
        return _embedded_target(config, spec, seed, record, masker)
    assert config.base_url is not None
    assert config.session_id is not None
    masker.add(*config.secrets)
    admin = served_admin(config, config.session_id)
    client = httpx.Client(timeout=httpx.Timeout(RUN.limits.request_timeout), follow_redirects=False)
    bound_client(client)  # each request's deadline holds off the main thread too
    lean_cookies(client)
    # invites to a served mock reach nobody: no cap there unless one was asked for
    mock_cap = None if admin is not None and not config.max_invites_asked else config.max_invites
    budget = InviteBudget(mock_cap)
    # a served mock the run was given the admin API of is a mock: no method guard there
    disposable = frozenset(disposable_sessions(_text(config.value("disposable_session_ids"))))
    guard_client(
        client,
        budget,
        live=admin is None,
        operations=operation_registry(spec),
        disposable=disposable,
    )
    record.repro = _repro_context(config, spec, api_base(config.base_url, spec))
    target = Target(
        spec=spec,
        config=config,
        api_base=api_base(config.base_url, spec),
        transport=Transport(client, masker, record.log),
        budget=budget,
        seed=seed,
        record=record,
        admin=admin,
        no_self_service_session_id=config.no_self_service_session_id,
    )
    if admin is not None:
        _no_self_service_session(target, admin)
    return target


def _embedded_target(
    asked: TargetConfig, spec: Spec, seed: int, record: RunRecord, masker: Masker
) -> Target:
    """A fresh in-process mock, described by the variables it prints for itself."""
    admin, mock_env = start_embedded(asked.mock_bugs, asked.mock_contract)
    cap = asked.max_invites  # no cap on the mock unless one was asked for
    budget = InviteBudget(cap)
    guard_client(admin.client, budget, unguarded_prefix=ADMIN_PREFIX)
    lean_cookies(admin.client)
    live = from_sources(mock_env)
    config = TargetConfig(
        **{
            **live.__dict__,
            "base_url": None,
            "mock_bugs": asked.mock_bugs,
            "mock_contract": asked.mock_contract,
            "max_invites": cap,
        }
    )
    masker.add(*config.secrets)
    base = mock_env[ENV_VARS["base_url"]].rstrip("/")
    world = World(admin, config.company_id or "")
    record.repro = _repro_context(config, spec, base, world)
    target = Target(
        spec=spec,
        config=config,
        api_base=base,
        transport=Transport(admin.client, masker, record.log, snapshot=world.snapshot),
        budget=budget,
        seed=seed,
        record=record,
        admin=admin,
        no_self_service_session_id=config.no_self_service_session_id,
    )
    _no_self_service_session(target, admin)
    return target


def _no_self_service_session(target: Target, admin: MockAdmin) -> None:
    """On a mock, make the no-Self-Service Organization an editable Session if none was given."""
    token = target.config.no_self_service_token
    if token and target.no_self_service_session_id is None:
        slug = tokens.claims_of(token).get("slug")
        if isinstance(slug, str):
            target.no_self_service_session_id = admin.create(
                slug,
                facts(target.spec).editable_states[0],
                title="Session of an Organization without Self-Service",
            )


def _repro_context(
    config: TargetConfig, spec: Spec, base: str, world: World | None = None
) -> ReproContext:
    """What the run's repro scripts need: its secrets by variable and, embedded, its world."""
    variables = {
        str(value): row.name
        for row in VARIABLES
        if row.secret and (value := config.value(row.attr)) is not None
    }
    return ReproContext(
        base,
        spec.base_path,
        variables,
        config.api_key,
        config.company_id,
        world=world,
        bugs=config.mock_bugs,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
