"""The store: jobs and their owed notices, in SQLite or PostgreSQL (by DATABASE_URL).

`store.jobs`, `store.notices`, `store.audit` and the rest hold each table's queries; a job's
move, the notice it owes and its audit record are written in one transaction. The engine,
migrations and the one-writer rule are in `engine`.
"""

from __future__ import annotations

from datetime import datetime

from bot.config.database import Pool
from bot.store.account_queries import ReplacedKeys, TavusAccounts
from bot.store.audit_queries import AuditLog
from bot.store.engine import Clock, Database, StoreUnavailable, create_engine, utcnow
from bot.store.installation_queries import Installations, OAuthStates
from bot.store.job_queries import Jobs
from bot.store.link_queries import ConnectLinks
from bot.store.media_queries import Keys, Media
from bot.store.notice_queries import Notices
from bot.store.pace_queries import PaceRows
from bot.store.policy_queries import Policies
from bot.store.receipt_queries import Receipts
from bot.store.talk_queries import TalkRows

__all__ = ["Pool", "Store", "StoreUnavailable"]


class Store:
    """The database, with a query object per table; every state change is a compare-and-set."""

    def __init__(self, db: Database) -> None:
        self.db = db  # the engine underneath, for migrations, health checks and support tools
        self.jobs = Jobs(db)
        self.notices = Notices(db)
        self.audit = AuditLog(db)
        self.receipts = Receipts(db)
        self.policies = Policies(db)
        self.keys = Keys(db)
        self.media = Media(db)
        self.paces = PaceRows(db)
        self.installations = Installations(db)
        self.oauth_states = OAuthStates(db)
        self.tavus_accounts = TavusAccounts(db)
        self.replaced_keys = ReplacedKeys(db)
        self.connect_links = ConnectLinks(db)
        self.talks = TalkRows(db)

    @classmethod
    async def open(cls, url: str, *, clock: Clock = utcnow, pool: Pool | None = None) -> Store:
        """Connect to the database at an async SQLAlchemy URL and bring its schema up to date."""
        db = Database(create_engine(url, pool), clock=clock)
        try:
            await db.migrate()
        except BaseException:
            await db.engine.dispose()
            raise
        return cls(db)

    @property
    def is_shared(self) -> bool:
        """Whether several instances may share this database (PostgreSQL; SQLite is a file)."""
        return self.db.engine.dialect.name == "postgresql"

    def now(self) -> datetime:
        """The store's clock."""
        return self.db.now()

    async def migrate(self) -> None:
        """Apply every migration not yet applied (instances starting together take turns)."""
        await self.db.migrate()

    async def ping(self) -> None:
        """Raise unless the database answers a trivial query."""
        await self.db.ping()

    async def close(self) -> None:
        """Finish the writes under way, then release every connection."""
        await self.jobs.finish()
        await self.notices.finish()
        await self.db.engine.dispose()
