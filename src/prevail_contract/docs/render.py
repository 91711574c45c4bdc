"""Render an OpenAPI document to one offline HTML page with the pinned Redocly CLI, then seal it.

``redocly build-docs --inlineBundle`` (Redoc 3) embeds the renderer's code in the page, but
the bundle still holds a few outside URLs; each is dealt with here:

- the Redocly attribution logo (``cdn.redoc.ly/redoc/logo-mini*.svg``, always shown in the
  sidebar footer) is replaced by an inline ``data:`` SVG;
- the browser-side telemetry (``otel.cloud.redocly.com``) and the CLI's own telemetry are off
  through ``REDOCLY_TELEMETRY=off``, which makes the CLI write ``disableTelemetry: true`` into
  the page; the update check is off through ``REDOCLY_SUPPRESS_UPDATE_NOTICE``;
- the page template (``template.hbs``) adds a Content-Security-Policy that allows only inline
  code, ``data:`` images and fonts, and ``blob:`` workers (the search index, built in memory),
  so anything a later renderer version adds is refused by the browser instead of fetched (the
  browser test fails on any such refusal);
- the download links point at ``openapi.yaml`` and ``openapi.json`` beside the page.

Other outside URLs remain in the bundle but are never fetched for this page: the icon CDN
(``cdn.redocly.com/icons``, used only for configured icons), the telemetry collector (off),
and plain links (GitHub, redocly.com docs). The browser test proves that no request leaves.

After sealing, the page is scanned for the markers of an outside load (CDN script import,
module preload, web fonts, telemetry left on); finding one is a :class:`ToolError`, so an
upgraded renderer cannot silently publish a page that phones home.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from urllib.parse import quote

from prevail_contract.errors import ToolError
from prevail_contract.spec import paths

TEMPLATE = Path(__file__).with_name("template.hbs")
_ROUTE = re.compile(r"/[A-Za-z0-9._~/-]+")
#: The Content-Security-Policy every page carries (also stated in ``template.hbs``).
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:; worker-src blob:; connect-src 'none'; base-uri 'none'; "
    "form-action 'none'"
)
#: Redoc's layout: "stacked" gives the text (and the rules table) the full width.
LAYOUT = "stacked"
#: Links the page offers for downloading the spec (files written beside the page).
DOWNLOADS = [
    {"title": "OpenAPI (YAML)", "url": "openapi.yaml"},
    {"title": "OpenAPI (JSON)", "url": "openapi.json"},
]


def _svg_data_uri(text: str, width: int) -> str:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="16" '
        f'viewBox="0 0 {width} 16"><text x="0" y="12" font-family="sans-serif" '
        f'font-size="12" fill="#5a5a5a">{text}</text></svg>'
    )
    return "data:image/svg+xml," + quote(svg, safe=" =:/,;")


#: Outside URLs in the renderer bundle and their inline replacements.
REPLACEMENTS = {
    "https://cdn.redoc.ly/redoc/logo-mini-full.svg": _svg_data_uri("Redocly", 56),
    "https://cdn.redoc.ly/redoc/logo-mini.svg": _svg_data_uri("R", 10),
}
#: Text whose presence in the finished page means it would load something from outside.
FORBIDDEN = {
    "cdn.redocly.com/redoc/": "the renderer script is loaded from the Redocly CDN",
    '<link rel="modulepreload"': "a script is preloaded from outside the page",
    "fonts.googleapis.com": "a web font is loaded from Google Fonts",
    "fonts.gstatic.com": "a web font is loaded from Google Fonts",
    '"disableTelemetry":false': "the renderer's browser telemetry is on",
    "cdn.redoc.ly/redoc/logo": "the Redocly logo is loaded from the CDN",
}


def redocly_executable() -> Path:
    """The pinned Redocly CLI from ``node_modules``; a :class:`ToolError` when not installed."""
    return paths.node_tool("redocly", "@redocly/cli")


def render_page(
    document_file: Path,
    output: Path,
    *,
    start_route: str | None = None,
    anchor_routes: tuple[str, str] | None = None,
    layout: str = LAYOUT,
) -> None:
    """Render ``document_file`` to ``output`` (one self-contained HTML file) and seal it.

    ``start_route`` is the Redoc route (such as ``/sessions/edit_session``) the page takes when
    its address has no ``#...`` part (or ``#/``), shown from its top, the introduction;
    ``anchor_routes`` is an anchor prefix and the route of the section holding those anchors
    (such as ``("rule-", "/section/business-rules")``), so that ``index.html#rule-<id>`` opens
    that section and scrolls to the anchor.
    """
    options: dict[str, object] = {
        "downloadUrls": DOWNLOADS,
        "hideLoading": True,
        "schemasExpansionLevel": "all",
        "jsonSamplesExpandLevel": "all",
        "layout": layout,
    }
    argv = [
        str(redocly_executable()),
        "build-docs",
        str(document_file),
        "--inlineBundle",
        "--template",
        str(TEMPLATE),
        "--output",
        str(output),
        "--lint-config",
        "off",
        "--openapi",
        json.dumps(options),
    ]
    if start_route:
        prefix, rules_route = anchor_routes or ("", start_route)
        for route in (start_route, rules_route):
            if not _ROUTE.fullmatch(route):
                raise ToolError(f"cannot open the page on route {route!r}")
        if not re.fullmatch(r"[A-Za-z0-9_-]*", prefix):
            raise ToolError(f"unusable anchor prefix {prefix!r}")
        argv += [
            f"--templateOptions.startRoute={start_route}",
            f"--templateOptions.rulesRoute={rules_route}",
            f"--templateOptions.anchorPrefix={prefix}",
        ]
    environment = {
        **os.environ,
        "REDOCLY_TELEMETRY": "off",
        "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
        "REDOCLY_SUPPRESS_NOTIFICATIONS": "true",
        "DO_NOT_TRACK": "1",
    }
    completed = subprocess.run(  # noqa: S603 - fixed argv, no shell
        argv,
        capture_output=True,
        text=True,
        check=False,
        cwd=document_file.parent,
        env=environment,
    )
    if completed.returncode != 0 or not output.exists():
        raise ToolError(
            f"redocly build-docs failed (exit {completed.returncode}):\n"
            f"{(completed.stdout + completed.stderr).strip()}"
        )
    output.write_text(seal(output.read_text(encoding="utf-8")), encoding="utf-8")


def seal(html: str) -> str:
    """Replace the known outside URLs and refuse a page that would still load from outside."""
    for url, replacement in REPLACEMENTS.items():
        html = html.replace(url, replacement)
    found = [reason for marker, reason in FORBIDDEN.items() if marker in html]
    if f'content="{CSP}"' not in html:
        found.append("the Content-Security-Policy of template.hbs is missing")
    if found:
        raise ToolError(
            "the rendered page is not self-contained: "
            + "; ".join(found)
            + " (did the pinned Redocly CLI version change? see prevail_contract/docs/render.py)"
        )
    return html
