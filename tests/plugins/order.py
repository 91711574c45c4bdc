"""Test order: the files with the most slow-tier tests first, so that pytest-xdist
(``--dist loadfile``) hands out the longest work before the short files that fill the gaps."""

from __future__ import annotations

from collections import Counter

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    slow = Counter(item.path for item in items if item.get_closest_marker("slow") is not None)
    first_seen = {path: index for index, path in reversed(list(enumerate(i.path for i in items)))}
    # stable: a file's own tests keep their order; files without slow tests keep theirs
    items.sort(key=lambda item: (-slow[item.path], first_seen[item.path]))
