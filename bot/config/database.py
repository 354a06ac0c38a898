"""The settings that reach the database, the first of every settings class."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


@dataclass(frozen=True, slots=True)
class Pool:
    """Connection pool limits (PostgreSQL; SQLite is a file and needs none)."""

    size: int = 5
    overflow: int = 5
    timeout: float = 10.0


_POOL = Pool()


class DatabaseSettings(BaseSettings):
    """The settings that reach the database: all that `python -m bot audit` needs."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = Field(
        default="sqlite:///replica-bot.db",
        description=(
            "sqlite:///path/to/file.db (relative to the working directory), or "
            "postgresql://user:password@host/dbname (postgres:// as Heroku gives it works too); "
            "PostgreSQL when running several instances"
        ),
    )
    database_pool_size: int = Field(
        default=_POOL.size,
        ge=1,
        description="PostgreSQL connections each instance keeps open, 1 or more",
    )
    database_pool_overflow: int = Field(
        default=_POOL.overflow,
        ge=0,
        description="extra PostgreSQL connections an instance may open at busy moments",
    )
    database_timeout: float = Field(
        default=_POOL.timeout,
        gt=0,
        description=(
            "seconds to wait for a database connection before a request is refused with "
            "'try again', above 0"
        ),
    )

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        scheme = value.split("://", 1)[0].split("+", 1)[0] if "://" in value else ""
        if scheme not in {"sqlite", "postgresql", "postgres"}:
            raise ValueError("only sqlite:// and postgresql:// databases are supported")
        return value

    @property
    def sqlalchemy_url(self) -> str:
        """DATABASE_URL with the async driver SQLAlchemy needs."""
        scheme, rest = self.database_url.split("://", 1)
        if scheme.split("+", 1)[0] == "sqlite":
            return f"sqlite+aiosqlite://{rest}"
        # libpq's sslmode (as hosting providers write it) is asyncpg's ssl.
        return f"postgresql+asyncpg://{rest.replace('sslmode=', 'ssl=')}"

    @property
    def pool(self) -> Pool:
        """The database connection pool's limits."""
        return Pool(
            size=self.database_pool_size,
            overflow=self.database_pool_overflow,
            timeout=self.database_timeout,
        )
