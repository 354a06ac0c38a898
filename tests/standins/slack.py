"""A stand-in for the Slack Web API: records calls, answers like Slack, injects faults."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from bot.slack.oauth import SCOPES
from tests.standins import blockkit
from tests.standins.limits import HISTORY, HISTORY_LIMITED, POSTING, Tiers
from tests.standins.server import Fault, StandIn

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
TEAM_ID = "T0TEAM"
BOT_USER_ID = "U0BOT"
# The app's OAuth credentials, as its 'Basic Information' page shows them.
CLIENT_ID = "1234.5678"
CLIENT_SECRET = "client-secret"
INSTALLER_ID = "U0INSTALLER"
# A trigger_id works once, within 3 s of the click or command that issued it
# (docs.slack.dev/reference/methods/views.open; errors expired_trigger_id, exchanged_trigger_id).
TRIGGER_LIFETIME = 3.0
TRIGGER_METHODS = frozenset({"views.open", "views.push"})
# conversations.history and .replies: `limit` defaults to 100 and goes up to 999; for
# non-Marketplace apps distributed by OAuth, 15 is both the default and the most.
HISTORY_PAGE, HISTORY_MOST, HISTORY_LIMITED_PAGE = 100, 999, 15
# Channels Slack may restrict posting in, and the error chat.postMessage then answers
# (slack-api-ref methods/chat/chat.postMessage.json, errors).
READ_ONLY = "restricted_action_read_only_channel"
THREAD_ONLY = "restricted_action_thread_only_channel"
NON_THREADABLE = "restricted_action_non_threadable_channel"
THREAD_LOCKED = "restricted_action_thread_locked"


@dataclass(frozen=True)
class Call:
    """One Web API call as the stand-in received it, and when (time.monotonic())."""

    method: str
    args: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


# Where Slack's default avatars are (an initial on a colour): no face to compare.
DEFAULT_AVATAR = "https://a.slack-edge.com/df10d/img/avatars/ava_0001-512.png"


class SlackStandIn(StandIn):
    """Plays slack.com/api/: auth.test, chat.postMessage, views.*, conversations.*."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        # Bot tokens Slack knows, and the workspace (or Grid org) each was issued for; every
        # call records the one its token named as "_team".
        self.tokens: dict[str, str] = {BOT_TOKEN: TEAM_ID}
        # The scopes every token's install granted, as auth.test's x-oauth-scopes header says.
        self.granted_scopes: tuple[str, ...] = SCOPES
        # Codes Slack's consent screen handed installers, each exchanged once at oauth.v2.access.
        self.codes: dict[str, dict[str, Any]] = {}
        self._installs = itertools.count(1)
        # The stand-in's own clock (seconds, as time.monotonic): triggers' age, the history limit.
        self.clock: Callable[[], float] = time.monotonic
        # trigger_ids Slack handed out (with when), and those already exchanged at views.open.
        self.issued: dict[str, float] = {}
        self.exchanged: set[str] = set()
        self._trigger_ids = itertools.count(1)
        # Channels the bot is not a member of. A post to a public one succeeds with
        # chat:write.public (and answers not_in_channel without it); a private one answers
        # channel_not_found; history answers not_in_channel (public) or channel_not_found.
        self.outside: set[str] = set()
        # Private channels (and DMs): never joined; conversations.info says is_private, or, if
        # the bot is outside too, channel_not_found, as Slack does.
        self.private: set[str] = set()
        # Channels where posting is restricted: nobody may post (read-only), only replies in
        # threads (thread-only), or no thread replies (non-threadable); and locked threads
        # (channel, thread_ts) that take no replies.
        self.read_only: set[str] = set()
        self.thread_only: set[str] = set()
        self.non_threadable: set[str] = set()
        self.locked_threads: set[tuple[str, str]] = set()
        # An OAuth-distributed app outside the Marketplace: history and replies at 1 request a
        # minute per method and workspace (on `clock`), `limit` at most (and by default) 15.
        # So is every token this stand-in granted at oauth.v2.access; a single workspace's own
        # (internal) app, installed with a token from its settings, is not limited.
        self.history_limited = False
        self._distributed: set[str] = set()
        self._history_limits = Tiers(history=HISTORY_LIMITED, clock=lambda: self.clock())
        # Grid orgs with an org-wide install: their tokens are org tokens.
        self.orgs: set[str] = set()
        # Workspace admins, as users.info reports them.
        self.admins: set[str] = set()
        # Anything else users.info reports of a user (is_restricted, is_bot, deleted, real_name…).
        self.profiles: dict[str, dict[str, Any]] = defaultdict(dict)
        # Users Slack does not know: users.info answers user_not_found. Opt-in: every other id
        # is a user, as most tests take for granted.
        self.unknown_users: set[str] = set()
        # User groups' members, as usergroups.users.list reports them.
        self.usergroups: dict[str, list[str]] = {}
        # What the bot sent to response_url addresses, by the address's last part.
        self.responses: dict[str, list[dict[str, Any]]] = defaultdict(list)
        # The message each response_url was given for (a click on it): replace_original redraws it.
        self._origins: dict[str, tuple[str, str]] = {}
        # Seconds the next response_url post takes to land: a slow network between the bot and
        # Slack, under which what the bot sends meanwhile by the Web API lands first.
        self.slow_responses: list[float] = []
        # Messages per second Slack accepts in one channel, in bursts of as many (None: no
        # limit); a token bucket per channel, as Slack's "1 a second, short bursts allowed".
        self.channel_limit: float | None = None
        self._buckets: dict[str, tuple[float, float]] = {}
        # Slack's tiers, enforced for every method they cover, as Slack does (None: not
        # enforced, for a test about something else that would otherwise wait its turn).
        self.tiers: Tiers | None = Tiers()
        # Requests that came while a Retry-After Slack had given still ran (posts: per channel).
        self.early_retries = 0
        self.messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._blocked_until: dict[str, float] = {}
        self._ts = itertools.count(1)
        # Messages and views Slack's Block Kit schema refused (Web API, response_url, Socket
        # Mode acks): the slack fixture fails a test that leaves any here.
        self.refused_blocks: list[blockkit.Refusal] = []
        # Socket Mode: envelopes pushed to the bot, and the bot's acknowledgements.
        self.acks: list[dict[str, Any]] = []
        self._sockets: list[web.WebSocketResponse] = []
        self._envelopes = itertools.count(1)
        self.app.router.add_route("*", "/api/{method}", self._handle)
        self.app.router.add_get("/socket", self._socket)
        self.app.router.add_post("/respond/{key}", self._respond)
        # Files uploaded the v2 way: the upload URL's bytes, then where they were shared.
        self.app.router.add_post("/upload/{file_id}", self._upload)
        # Files posted in Slack, by id: what files.info says, and their bytes to download.
        self.app.router.add_get("/files-pri/{file_id}/{name}", self._download)
        self.slack_files: dict[str, dict[str, Any]] = {}
        self.file_bytes: dict[str, bytes] = {}
        # Files the bot may not see (in a conversation it is not in): what files.info answers.
        self.hidden_files: dict[str, str] = {}
        # Downloads asked for, with the Authorization header they carried.
        self.downloads: list[dict[str, Any]] = []
        # Where a download is sent instead (a CDN's redirect), by file id.
        self.download_redirects: dict[str, str] = {}
        self.uploaded: dict[str, bytes] = {}
        # Modals opened, in order, and every version each showed (views.open, views.update).
        self.modals: list[str] = []
        self.versions: dict[str, list[dict[str, Any]]] = {}
        self._view_ids = itertools.count(1)
        self.files: list[dict[str, Any]] = []
        self._file_ids = itertools.count(1)

    def photo(self, user: str, url: str, *, name: str = "") -> None:
        """Give `user` a profile photo of their own at `url` (image_512 and the original)."""
        profile = {"image_512": url, "image_original": url, "is_custom_image": True}
        self.profiles[user]["profile"] = profile | ({"real_name": name} if name else {})

    @property
    def api_url(self) -> str:
        """The base URL to give the bot as SLACK_API_URL."""
        return f"{self.url}/api/"

    def fail(self, method: str, error: str, times: int = 1, *, channel: str = "") -> None:
        """Answer the next calls to `method` with {"ok": false, "error": error}.

        With `channel`, only calls for that channel (faults for a channel go before others).
        """
        self.fail_next(method, Fault(body={"ok": False, "error": error}), times, channel=channel)

    def fail_next(self, route: str, fault: Fault, times: int = 1, *, channel: str = "") -> None:
        """Answer the next `times` calls to `route` (in `channel`, if given) with `fault`."""
        super().fail_next(_route(route, channel), fault, times)

    def rate_limit(
        self, method: str, retry_after: int, times: int = 1, *, channel: str = ""
    ) -> None:
        """Answer the next calls to `method` (in `channel`) with 429 and Retry-After."""
        fault = Fault(
            429, {"ok": False, "error": "ratelimited"}, headers={"Retry-After": str(retry_after)}
        )
        self.fail_next(method, fault, times, channel=channel)

    def trigger(self, *, age: float = 0.0) -> str:
        """A trigger_id, as Slack hands one out with a command, click or shortcut `age` s ago.

        views.open and views.push take it once, within TRIGGER_LIFETIME of its issue.
        """
        n = next(self._trigger_ids)
        trigger_id = f"{n}.{4200000000 + n}.{n:032x}"
        self.issued[trigger_id] = self.clock() - age
        return trigger_id

    def _exchange(self, trigger_id: str) -> str | None:
        """Use a trigger up: None if it was good, else the error Slack answers."""
        issued = self.issued.get(trigger_id)
        if issued is None:
            return "invalid_trigger_id"
        if trigger_id in self.exchanged:
            return "exchanged_trigger_id"
        if self.clock() - issued > TRIGGER_LIFETIME:
            return "expired_trigger_id"
        self.exchanged.add(trigger_id)
        return None

    def called(self, method: str) -> list[dict[str, Any]]:
        """The arguments of every call to `method`, in order."""
        return [call.args for call in self.calls if call.method == method]

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Every chat.postMessage that Slack accepted, optionally only those in one channel."""
        return [
            args
            for args in self.called(POSTING)
            if args.get("_ok") and (channel is None or args.get("channel") == channel)
        ]

    def retry_after_ends(self, method: str, channel: str = "") -> float:
        """When the last Retry-After Slack gave for `method` (posts: in `channel`) ends, on the
        clock of Call.at (0 if none was given)."""
        return self._blocked_until.get(_blocked(method, channel), 0.0)

    def answers(self, method: str, status: int) -> int:
        """How many calls to `method` were answered with this HTTP status."""
        return sum(1 for args in self.called(method) if args.get("_status") == status)

    async def wait_for(self, method: str, count: int = 1, within: float = 10.0) -> None:
        """Wait until `method` has been called at least `count` times."""
        await self.wait_until(lambda: len(self.called(method)) >= count, within)

    async def wait_for_posts(
        self, count: int, within: float = 10.0, *, channel: str | None = None
    ) -> None:
        """Wait until Slack has accepted at least `count` messages (in `channel`, if given)."""
        await self.wait_until(lambda: len(self.posts(channel)) >= count, within)

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update(await request.post())
        channel = str(args.get("channel", ""))
        if method == POSTING and channel[:1] in {"U", "W"}:
            # Posted to a user: it lands in the bot's DM with them, as Slack does.
            args["channel"] = channel = f"D{channel}"
        # Sent again before the Retry-After Slack gave (posts: in that channel) had passed.
        if time.monotonic() < self._blocked_until.get(_blocked(method, channel), 0):
            self.early_retries += 1
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        args["_team"] = self._team_of(method, request.headers.get("Authorization", ""))
        args["_distributed"] = token in self._distributed
        if args["_team"] is None:
            answer: web.Response = web.json_response({"ok": False, "error": "invalid_auth"})
        elif (fault := await self.planned(self._route_of(method, channel), request)) is not None:
            answer = fault
        elif method == POSTING and self._over_limit(channel):
            answer = _ratelimited(1)
        elif (wait := self._refusal(method, channel, str(args["_team"]), token)) is not None:
            answer = _ratelimited(wait)
        elif (refused := blockkit.refusal(method, args)) is not None:
            self.refused_blocks.append(refused)
            answer = web.json_response(refused.answer)
        else:
            answer = web.json_response(self._answer(method, args))
            if method == "auth.test":
                answer.headers["x-oauth-scopes"] = ",".join(self.granted_scopes)
        if (failed := self.take_after_work(self._route_of(method, channel))) is not None:
            answer = failed  # done all the same: the post is in the channel
        if answer.status == 429:
            retry_after = float(answer.headers.get("Retry-After", "1"))
            self._blocked_until[_blocked(method, channel)] = time.monotonic() + retry_after
        assert isinstance(answer.body, bytes)
        body = json.loads(answer.body) if answer.body.startswith(b"{") else {}
        args["_ok"] = bool(body.get("ok"))
        args["_error"] = body.get("error")
        args["_status"] = answer.status
        if "ts" in body:
            args["ts"] = body["ts"]
        self.calls.append(Call(method, args))
        await self.notify()
        if late := self.take_late_answer(self._route_of(method, channel)):
            await asyncio.sleep(late)
        return answer

    def _refusal(self, method: str, channel: str, team: str, token: str) -> int | None:
        """Retry-After seconds if Slack's limits refuse this call, else None."""
        if self._limits_history(token) and method in HISTORY:
            return self._history_limits.refuse(method, channel, team)
        return None if self.tiers is None else self.tiers.refuse(method, channel, team)

    def _limits_history(self, token: str) -> bool:
        """Whether history and replies keep the 1-a-minute limit for this token's app."""
        return self.history_limited or token in self._distributed

    def _route_of(self, method: str, channel: str) -> str:
        # A fault planned for this channel comes before one planned for every channel.
        return _route(method, channel) if self._faults.get(_route(method, channel)) else method

    def _over_limit(self, channel: str) -> bool:
        if self.channel_limit is None:
            return False
        now = time.monotonic()
        tokens, then = self._buckets.get(channel, (self.channel_limit, now))
        tokens = min(self.channel_limit, tokens + (now - then) * self.channel_limit)
        if tokens < 1:
            self._buckets[channel] = (tokens, now)
            return True
        self._buckets[channel] = (tokens - 1, now)
        return False

    def grant(
        self, team_id: str | None, *, enterprise_id: str | None = None, name: str = "Acme"
    ) -> str:
        """An installer approved the app on Slack's consent screen: the code Slack sends back.

        With no team, it is an org-wide install of the Grid org `enterprise_id`.
        """
        n = next(self._installs)
        code = f"code-{n}"
        org = team_id is None
        self.codes[code] = {
            "ok": True,
            "app_id": "A0APP",
            "authed_user": {"id": INSTALLER_ID},
            "scope": "commands,chat:write",
            "token_type": "bot",
            "access_token": f"xoxb-install-{n}",
            "bot_user_id": f"U0BOT{n}",
            "team": None if org else {"id": team_id, "name": name},
            "enterprise": {"id": enterprise_id, "name": f"{name} Org"} if enterprise_id else None,
            "is_enterprise_install": org,
        }
        return code

    def revoke(self, token: str) -> None:
        """Slack forgets a token (the app uninstalled, or its tokens revoked)."""
        self.tokens.pop(token, None)

    def _team_of(self, method: str, authorization: str) -> str | None:
        """Whose credentials a call carries (None: none Slack knows)."""
        if method == "apps.connections.open":
            return TEAM_ID if authorization == f"Bearer {APP_TOKEN}" else None
        if method == "oauth.v2.access":
            basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            return "" if authorization == f"Basic {basic}" else None
        return self.tokens.get(authorization.removeprefix("Bearer "))

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": "Test",
                "user": "replica-bot",
                "team_id": args["_team"],
                "user_id": BOT_USER_ID,
                "bot_id": "B0BOT",
            }
        if method == "oauth.v2.access":
            granted = self.codes.pop(str(args.get("code", "")), None)
            if granted is None:
                return {"ok": False, "error": "invalid_code"}
            team, org = granted["team"], granted["enterprise"]
            self.tokens[granted["access_token"]] = team["id"] if team else org["id"]
            self._distributed.add(granted["access_token"])
            if not team:
                self.orgs.add(org["id"])
            return granted
        if method == POSTING:
            return self._post(args)
        if method in {"views.open", "views.push", "views.update"}:
            view = args.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            if not isinstance(view, dict) or "title" not in view:
                return {"ok": False, "error": "invalid_arguments"}
            if method in TRIGGER_METHODS and (
                refused := self._exchange(str(args.get("trigger_id", "")))
            ):
                return {"ok": False, "error": refused}
            return self._show(method, args, view)
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": f"D{args.get('users', '')}"}}
        if method in HISTORY:
            return self._history(method, args)
        if method == "files.info":
            file_id = str(args.get("file", ""))
            found = self.slack_files.get(file_id)
            if file_id in self.hidden_files:
                return {"ok": False, "error": self.hidden_files[file_id]}
            if found is None:
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "file": found}
        if method == "files.getUploadURLExternal":
            if not args.get("filename") or not str(args.get("length", "")).isdigit():
                return {"ok": False, "error": "invalid_arguments"}
            file_id = f"F{next(self._file_ids):06d}"
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            shared = json.loads(str(args.get("files", "[]")))
            if not shared or any(entry.get("id") not in self.uploaded for entry in shared):
                return {"ok": False, "error": "file_not_found"}
            for entry in shared:
                self.files.append(
                    {
                        **entry,
                        "channel": args.get("channel_id"),
                        "initial_comment": args.get("initial_comment"),
                        "content": self.uploaded[entry["id"]],
                    }
                )
            return {"ok": True, "files": [{"id": e["id"], "title": e.get("title")} for e in shared]}
        if method == "conversations.info":
            channel = args.get("channel", "")
            if channel in self.private and channel in self.outside:
                return {"ok": False, "error": "channel_not_found"}
            private = channel in self.private
            return {"ok": True, "channel": {"id": channel, "is_private": private, "is_im": False}}
        if method == "users.info":
            user = args.get("user", "")
            if user in self.unknown_users:
                return {"ok": False, "error": "user_not_found"}
            found = {
                "id": user,
                "is_admin": user in self.admins,
                # Slack's default avatar, as users.info gives it to a user without a photo.
                "profile": {"image_512": DEFAULT_AVATAR, "is_custom_image": False},
                **self.profiles[user],
            }
            return {"ok": True, "user": found}
        if method == "usergroups.users.list":
            if args["_team"] in self.orgs and not args.get("team_id"):
                # An org token must say which workspace's group it means ("Required if org
                # token is used"); Slack answers as slack-go/slack#1157 shows for dnd.info.
                return {"ok": False, "error": "missing_argument", "arg": "team_id"}
            group = args.get("usergroup", "")
            if group not in self.usergroups:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": self.usergroups[group]}
        if method == "views.publish":
            return {"ok": True, "view": {"id": "V0HOME", **(args.get("view") or {})}}
        if method == "chat.update":
            return self._update(args)
        if method == "conversations.join":
            channel = args.get("channel", "")
            if channel in self.private:
                return {"ok": False, "error": "method_not_supported_for_channel_type"}
            self.outside.discard(channel)
            return {"ok": True, "channel": {"id": channel}}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws{self.url.removeprefix('http')}/socket"}
        return {"ok": False, "error": "unknown_method"}

    def _show(self, method: str, args: dict[str, Any], view: dict[str, Any]) -> dict[str, Any]:
        """Open a modal (a new view id), or change one that is open, as views.* do."""
        if method in {"views.open", "views.push"}:
            view_id = f"V{next(self._view_ids):08d}"
            self.modals.append(view_id)
            self.versions[view_id] = [view]
        else:
            view_id = str(args.get("view_id") or "")
            if view_id not in self.versions:
                return {"ok": False, "error": "not_found"}
            self.versions[view_id].append(view)
        return {"ok": True, "view": {**view, "id": view_id}}

    async def wait_for_modal(self, count: int = 1, within: float = 10.0) -> dict[str, Any]:
        """The `count`th modal opened, once the bot has shown what it opened it for.

        The bot opens every modal with a "Working…" view and then updates it: this waits for
        that update, and returns the view as the user sees it then.
        """

        def shown() -> bool:
            return len(self.modals) >= count and len(self.versions[self.modals[count - 1]]) > 1

        await self.wait_until(shown, within)
        return self.versions[self.modals[count - 1]][-1]

    def modal(self, index: int = -1) -> list[dict[str, Any]]:
        """Every version of the `index`th modal opened (as opened, then each views.update)."""
        return self.versions[self.modals[index]]

    def _history(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.history (top-level messages, newest first) or .replies (a thread)."""
        channel = str(args.get("channel", ""))
        if channel[:1] in {"U", "W"} or (channel in self.outside and channel in self.private):
            # A user id is not a conversation; a private channel the bot is not in is unseen.
            return {"ok": False, "error": "channel_not_found"}
        if channel in self.outside:
            # "Only user tokens can access public channels they are not in."
            return {"ok": False, "error": "not_in_channel"}
        # Only messages between oldest and latest (both exclusive, Slack's default).
        oldest = float(args.get("oldest") or 0)
        latest = float(args.get("latest") or "inf")

        def within(m: dict[str, Any]) -> bool:
            return oldest < float(m["ts"]) < latest

        if method == "conversations.history":
            found = [m for m in self.messages[channel] if "thread_ts" not in m and within(m)][::-1]
        else:
            thread = args.get("ts")
            # The thread's parent comes first whatever the window, as Slack sends it.
            found = [
                m
                for m in self.messages[channel]
                if m["ts"] == thread or (m.get("thread_ts") == thread and within(m))
            ]
        limited = self.history_limited or bool(args.get("_distributed"))
        most = HISTORY_LIMITED_PAGE if limited else HISTORY_MOST
        default = HISTORY_LIMITED_PAGE if limited else HISTORY_PAGE
        asked = str(args.get("limit") or "")
        limit = min(most, int(asked) if asked.isdigit() and int(asked) > 0 else default)
        cursor = str(args.get("cursor") or "")
        start = _offset(cursor)
        if start is None:
            return {"ok": False, "error": "invalid_cursor"}
        page = found[start : start + limit]
        more = start + limit < len(found)
        answer: dict[str, Any] = {"ok": True, "messages": page, "has_more": more}
        if more:
            answer["response_metadata"] = {"next_cursor": _cursor(start + limit)}
        return answer

    def response_url(self, key: str, origin: tuple[str, str] | None = None) -> str:
        """A response_url for a command or action, answered by this stand-in.

        `origin`: the message (channel, ts) clicked, which a response with `replace_original`
        redraws in place, as Slack does; `delete_original` deletes it.
        """
        if origin is not None:
            self._origins[key] = origin
        return f"{self.url}/respond/{key}"

    def post_file(
        self, file_id: str, name: str, mimetype: str, data: bytes, **more: Any
    ) -> dict[str, Any]:
        """A file as if posted in Slack; the file object a message's `files` carries."""
        self.slack_files[file_id] = {
            "id": file_id,
            "name": name,
            "title": more.pop("title", name),
            "mimetype": mimetype,
            "size": more.pop("size", len(data)),
            "url_private_download": f"{self.url}/files-pri/{file_id}/{name}",
            **more,
        }
        self.file_bytes[file_id] = data
        return dict(self.slack_files[file_id])

    def connect_stub(self, file_id: str) -> dict[str, Any]:
        """A posted file as a Slack Connect channel's message carries it: a stub, no details.

        files.info on its id answers the full file (docs.slack.dev/reference/events/message/
        file_share, "Slack Connect files").
        """
        assert file_id in self.slack_files, "post_file it first: files.info must know it"
        return {
            "id": file_id,
            "mode": "file_access",
            "file_access": "check_file_info",
            "created": 0,
            "timestamp": 0,
            "user": "",
        }

    def hide_file(self, file_id: str, error: str = "file_not_found") -> None:
        """The bot may not see this file (posted where it is not): files.info answers `error`.

        Slack answers file_not_found to a bot token for a file in a private channel it is not in
        (PipedreamHQ/pipedream#22031); `not_visible` is the other documented answer.
        """
        self.hidden_files[file_id] = error

    async def _download(self, request: web.Request) -> web.StreamResponse:
        file_id = request.match_info["file_id"]
        self.downloads.append(
            {"file": file_id, "authorization": request.headers.get("Authorization")}
        )
        if file_id in self.download_redirects:
            raise web.HTTPFound(self.download_redirects[file_id])
        if (
            request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens
            or file_id not in self.file_bytes
            or file_id in self.hidden_files
        ):
            # As Slack does without files:read: its sign-in page, with status 200.
            return web.Response(text="<html>Sign in to Slack</html>", content_type="text/html")
        return web.Response(body=self.file_bytes[file_id], content_type="application/octet-stream")

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        self.uploaded[request.match_info["file_id"]] = data
        return web.Response(text=f"OK - {len(data)}")

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        if (refused := blockkit.response_url_refusal(body)) is not None:
            # Not shown: as Slack, which answers 400 that Bolt's respond() does not raise on.
            self.refused_blocks.append(refused)
            await self.notify()
            return web.Response(status=refused.status, text=str(refused.answer))
        if self.slow_responses:
            await asyncio.sleep(self.slow_responses.pop(0))
        key = request.match_info["key"]
        self.responses[key].append(body)
        if (origin := self._origins.get(key)) is not None:
            channel, ts = origin
            kept = [m for m in self.messages[channel] if m["ts"] == ts]
            if _truthy(body.get("delete_original")):
                self.messages[channel] = [m for m in self.messages[channel] if m["ts"] != ts]
            elif _truthy(body.get("replace_original")):
                for message in kept:
                    message.update(text=body.get("text"), blocks=body.get("blocks"))
        await self.notify()
        return web.Response(text="ok")

    async def wait_for_response(self, key: str, count: int = 1) -> dict[str, Any]:
        """Wait for the `count`th message sent to response_url `key`; return it."""
        await self.wait_until(lambda: len(self.responses[key]) >= count)
        return self.responses[key][count - 1]

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_json({"type": "hello", "num_connections": len(self._sockets)})
        await self.notify()
        async for message in socket:
            if message.type is WSMsgType.TEXT:
                ack = json.loads(message.data)
                if problems := blockkit.ack_errors(ack.get("payload")):
                    # Slack shows the user an error instead of the modal or the message.
                    self.refused_blocks.append(blockkit.Refusal("ack", tuple(problems), ack))
                self.acks.append(ack)
                await self.notify()
        self._sockets.remove(socket)
        return socket

    async def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send an envelope over the open socket, as Slack does, and return the bot's ack."""
        await self.wait_until(lambda: bool(self._sockets))
        envelope_id = f"envelope-{next(self._envelopes)}"
        await self._sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": True,
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        await self.wait_until(lambda: any(a["envelope_id"] == envelope_id for a in self.acks))
        return next(a for a in self.acks if a["envelope_id"] == envelope_id)

    async def stop(self) -> None:
        """Close open sockets, then stop serving."""
        for socket in list(self._sockets):
            await socket.close()
        await super().stop()

    def _update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel", "")
        for message in self.messages[channel]:
            if message["ts"] == args.get("ts"):
                message.update(text=args.get("text"), blocks=args.get("blocks"))
                return {"ok": True, "channel": channel, "ts": message["ts"], "text": args["text"]}
        return {"ok": False, "error": "message_not_found"}

    def card(self, channel: str, ts: str) -> dict[str, Any]:
        """A message as it looks now, after any updates."""
        return next(m for m in self.messages[channel] if m["ts"] == ts)

    def _post(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel", "")
        if channel in self.outside:
            if channel in self.private:
                return {"ok": False, "error": "channel_not_found"}
            if "chat:write.public" not in self.granted_scopes:
                return {"ok": False, "error": "not_in_channel"}
            # chat:write.public: the post goes in, and the bot is still not a member.
        thread = args.get("thread_ts")
        if channel in self.read_only:
            return {"ok": False, "error": READ_ONLY}
        if channel in self.thread_only and not thread:
            return {"ok": False, "error": THREAD_ONLY}
        if channel in self.non_threadable and thread:
            return {"ok": False, "error": NON_THREADABLE}
        if (channel, thread) in self.locked_threads:
            return {"ok": False, "error": THREAD_LOCKED}
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        # Real ts values are epoch seconds; history's `oldest` filter depends on that.
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        message: dict[str, Any] = {"type": "message", "text": args["text"], "ts": ts}
        for key in ("thread_ts", "metadata", "blocks"):
            if args.get(key):
                message[key] = args[key]
        self.messages[channel].append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}


def _ratelimited(retry_after: int) -> web.Response:
    return web.json_response(
        {"ok": False, "error": "ratelimited"},
        status=429,
        headers={"Retry-After": str(retry_after)},
    )


def _cursor(offset: int) -> str:
    """An opaque next_cursor, as Slack's (base64 of where the next page starts)."""
    return base64.b64encode(f"next_offset:{offset}".encode()).decode()


def _offset(cursor: str) -> int | None:
    """Where a cursor's page starts (0 with none); None if it is not one Slack gave."""
    if not cursor:
        return 0
    try:
        kind, _, number = base64.b64decode(cursor, validate=True).decode().partition(":")
    except ValueError:
        return None
    return int(number) if kind == "next_offset" and number.isdigit() else None


def _route(method: str, channel: str = "") -> str:
    """Where faults for `method` (in one channel, if given) are kept."""
    return f"{method}:{channel}" if channel else method


def _truthy(flag: Any) -> bool:
    """A response_url flag as Slack reads it: true, or the string "true"."""
    return flag is True or flag == "true"


def _blocked(method: str, channel: str) -> str:
    """What a 429's Retry-After holds back: posts in one channel, or every call to a method."""
    return channel if method == POSTING else method
