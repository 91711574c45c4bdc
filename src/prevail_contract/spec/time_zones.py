"""The spec's IANA zones (``x-iana-zones``) that zoneinfo cannot load: ``lint`` reports them and
the mock refuses to start on them (a Session in such a zone could not be placed in the list)."""

from __future__ import annotations

import functools
import zoneinfo

from prevail_contract.spec.model import Spec


def unloadable_zones(spec: Spec) -> list[str]:
    """The IANA zones behind the spec's zone names that zoneinfo cannot load, sorted."""
    return [iana for iana in sorted(set(spec.time_zones().values())) if not _loads(iana)]


#: Zone names whose answer is kept (the spec has 151; a bound all the same, since a process may
#: read several specs).
ANSWERS_KEPT = 4096


@functools.lru_cache(maxsize=ANSWERS_KEPT)
def _loads(iana: str) -> bool:
    """Whether zoneinfo can load ``iana``, asked once per process (the kit ships ``tzdata``, so
    the answer does not change; every mock app, sandboxes included, would ask again)."""
    try:
        zoneinfo.ZoneInfo(iana)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True
