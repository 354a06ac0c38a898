"""The bot's few web pages (installing, connecting Tavus): plain HTML, no script, never cached."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from aiohttp import web

# No script, no frames, nothing from elsewhere; forms post back here only.
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}
CONTENT_TYPE = "text/html; charset=utf-8"
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;"
    "line-height:1.5;color:#1d1c1d}"
    "label{display:block;font-weight:600;margin-top:1.5rem}"
    "input{width:100%;box-sizing:border-box;padding:.5rem;margin:.25rem 0 1rem;font:inherit}"
    "button{padding:.5rem 1rem;font:inherit}"
    ".error{color:#b00020;font-weight:600}"
)


def document(
    title: str,
    heading: str,
    lines: Sequence[str],
    *,
    error: str | None = None,
    extra: str = "",
) -> str:
    """A whole page: a heading, an error if any, paragraphs (all escaped), then `extra` HTML."""
    parts = [f"<h1>{escape(heading)}</h1>"]
    if error is not None:
        parts.append(f'<p class="error" role="alert">{escape(error)}</p>')
    parts.extend(f"<p>{escape(line)}</p>" for line in lines)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{''.join(parts)}{extra}</main></body></html>\n"
    )


def response(status: int, page: str) -> web.Response:
    """A page as aiohttp's answer, with the headers every page carries."""
    return web.Response(
        status=status, text=page, content_type="text/html", charset="utf-8", headers=HEADERS
    )
