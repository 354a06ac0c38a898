"""Each workspace's Slack client for delivery: its own bot token, its own budgets."""

from __future__ import annotations

from collections.abc import Callable

from bot.delivery.budgets import Budgets, PacedClient
from bot.delivery.poster import HISTORY_PAGE, Poster
from bot.workspaces.accounts import BotTokens, Workspace


class SlackClients:
    """The poster of each workspace, made when first needed and again when its token changes.

    `budgets` gives a workspace's budgets (kept where every instance shares them); `connect`
    makes a paced client from a token and those budgets.
    """

    def __init__(
        self,
        *,
        tokens: BotTokens,
        budgets: Callable[[str], Budgets],
        connect: Callable[[str, Budgets], PacedClient],
        history_page: int = HISTORY_PAGE,
    ) -> None:
        self._tokens = tokens
        self._budgets = budgets
        self._connect = connect
        # How many messages a look before a resend may read at once (Slack's cap for the app).
        self._history_page = history_page
        self._posters: dict[str, tuple[str, Poster]] = {}
        self._kept_budgets: dict[str, Budgets] = {}

    def budgets(self, team_id: str) -> Budgets:
        """A workspace's budgets: a method's calls in one workspace spend none of another's."""
        found = self._kept_budgets.get(team_id)
        if found is None:
            found = self._kept_budgets[team_id] = self._budgets(team_id)
        return found

    async def poster(self, workspace: Workspace) -> Poster:
        """The workspace's poster, with its bot token as it stands now (NotInstalled if none)."""
        token = await self._tokens.bot_token(workspace)
        kept = self._posters.get(workspace.team_id)
        if kept is not None and kept[0] == token:
            return kept[1]
        client = self._connect(token, self.budgets(workspace.team_id))
        poster = Poster(client, history_page=self._history_page)
        self._posters[workspace.team_id] = (token, poster)
        return poster
