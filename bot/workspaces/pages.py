"""The bot's few web pages (installing, connecting Tavus): plain HTML, no script, never cached."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from html import escape

from aiohttp import web

from bot.workspaces import connect_text as say
from bot.workspaces.installations import Connected, Installed

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


@dataclass(frozen=True, slots=True)
class KeyForm:
    """The Connect Tavus form's values: where it posts, and its session's CSRF token."""

    action: str
    csrf: str


def document(
    title: str,
    heading: str,
    lines: Sequence[str],
    *,
    error: str | None = None,
    form: KeyForm | None = None,
    onward: str | None = None,
) -> str:
    """A whole page: a heading, an error if any, paragraphs, the key form or a link onward.

    Every value is escaped: the pages take text, never markup.
    """
    parts = [f"<h1>{escape(heading)}</h1>"]
    if error is not None:
        parts.append(f'<p class="error" role="alert">{escape(error)}</p>')
    parts.extend(f"<p>{escape(line)}</p>" for line in lines)
    if form is not None:
        parts.append(
            f'<form method="post" action="{escape(form.action)}">'
            f'<input type="hidden" name="csrf" value="{escape(form.csrf)}">'
            f'<label for="api_key">{escape(say.KEY_LABEL)}</label>'
            '<input type="password" id="api_key" name="api_key" autocomplete="off" '
            'spellcheck="false" required>'
            f'<button type="submit">{escape(say.SUBMIT)}</button>'
            "</form>"
        )
    if onward is not None:
        parts.append(f'<p><a href="{escape(onward)}">{escape(say.CONTINUE)}</a></p>')
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{''.join(parts)}</main></body></html>\n"
    )


def connect_form(
    form: KeyForm,
    *,
    team_id: str,
    installed: Installed | None,
    connected: Connected | None,
    error: str | None = None,
) -> str:
    """The Connect Tavus form: which workspace, the key it has (its last four), a key's field."""
    name = installed.team_name or installed.enterprise_name if installed else None
    workspace = (
        say.WORKSPACE_NAMED.format(name=name, team_id=team_id)
        if name
        else say.WORKSPACE.format(team_id=team_id)
    )
    current = (
        say.CURRENT.format(
            last4=connected.last4,
            saved_by=connected.saved_by,
            saved_at=f"{connected.saved_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
        )
        if connected is not None
        else say.NOT_YET
    )
    lines = [workspace, current, say.INTRO]
    return document(say.TITLE, say.HEADING_FORM, lines, error=error, form=form)


def response(status: int, page: str) -> web.Response:
    """A page as aiohttp's answer, with the headers every page carries."""
    return web.Response(
        status=status, text=page, content_type="text/html", charset="utf-8", headers=HEADERS
    )
