"""Benchmark: the mock's ``GET /sessions`` page time as the Organization grows.

Builds the mock in-process, puts N more Sessions of the target Organization straight into its
memory store (spread over dates, times and zones, as a big customer's list would be), and times
full pages (the spec's largest ``items``) through httpx's ASGI transport, so that only the mock's
own work is measured: no sockets, no server.

    .venv/bin/python benchmarks/bench_list.py [--sessions 100,1000,5000] [--pages 20]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import time
from typing import Any

import httpx

from prevail_contract.mock import create_app, target_environment
from prevail_contract.mock.fixtures import Invitee, StoredSession
from prevail_contract.spec import load_spec
from prevail_contract.spec.operation_registry import LIST_ROLE, operation_registry

#: Zone names (the spec's) the added Sessions are spread over.
ZONES = ("UTC", "Tokyo", "Hawaii", "Berlin", "Eastern Time (US & Canada)")


def _sessions(org: str, count: int) -> list[StoredSession]:
    first = dt.date(2027, 1, 1)
    return [
        StoredSession(
            f"bench-{index:06d}",
            org,
            {
                "title": f"Bench Session {index}",
                "start_date": (first + dt.timedelta(days=index % 900)).isoformat(),
                "start_time": f"{1 + index % 12:02d}:{(index * 7) % 60:02d} "
                + ("AM" if index % 2 else "PM"),
                "time_zone": ZONES[index % len(ZONES)],
                "state": "scheduled",
                "estimated_duration": 1.0,
                "transcript_status": "none",
            },
            (Invitee(f"bench{index}@example.com", "participant"),),
        )
        for index in range(count)
    ]


async def _page_times(count: int, pages: int) -> list[float]:
    app: Any = create_app()
    mock = app.state.mock
    for session in _sessions(mock.fixtures.targets.organization, count):
        await mock.store.add(session)
    env = target_environment(app, "http://mock")
    spec = load_spec()
    operation = operation_registry(spec).role(LIST_ROLE).operation
    items = next(
        spec.deref(p["schema"])["maximum"]
        for p in (spec.deref(ref) for ref in operation.node.get("parameters") or ())
        if p.get("name") == "items"
    )
    headers = {"Authorization": f"Bearer {env['PREVAIL_TOKEN']}"}
    path = "/api/v1" + operation.path
    times: list[float] = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        for page in range(1, pages + 2):
            started = time.perf_counter()
            answer = await client.get(path, params={"items": items, "page": page}, headers=headers)
            if page > 1:  # the first page warms what the process keeps
                times.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text[:300]
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="100,1000,5000", help="Organization sizes to add")
    parser.add_argument("--pages", type=int, default=20, help="pages timed at each size")
    args = parser.parse_args()
    print(f"{'sessions added':>15} {'median ms/page':>15} {'p90 ms/page':>12}")
    for count in (int(n) for n in args.sessions.split(",")):
        times = sorted(asyncio.run(_page_times(count, args.pages)))
        p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
        print(f"{count:>15,} {statistics.median(times) * 1000:>15.1f} {p90 * 1000:>12.1f}")


if __name__ == "__main__":
    main()
