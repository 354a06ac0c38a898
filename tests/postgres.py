"""The PostgreSQL server the tests use: TEST_POSTGRES_URL's, or a throwaway one started for the run.

A plain `pytest` starts its own server, once and only if a PostgreSQL test runs, when the server's
programs are installed (initdb and pg_ctl: on the PATH, in `pg_config --bindir`, or in Debian's
/usr/lib/postgresql/*/bin), and stops and deletes it at the end. Without them those tests skip,
and the run ends by saying how many did not run and how to run them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

# Every skip for want of a server gives a reason that starts so; the run's summary counts them.
NOT_RUN = "PostgreSQL tests need a server"
HOW = "install PostgreSQL (Debian: apt-get install postgresql) or set TEST_POSTGRES_URL"
DATABASE = "replica_bot_test"


def programs() -> Path | None:
    """The folder holding initdb, pg_ctl and createdb, if PostgreSQL's server is installed."""
    found = [Path(p).resolve().parent for p in [shutil.which("initdb")] if p]
    if pg_config := shutil.which("pg_config"):
        asked = [pg_config, "--bindir"]
        done = subprocess.run(asked, capture_output=True, text=True, check=False)  # noqa: S603
        found.append(Path(done.stdout.strip()))
    found += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    needed = ("initdb", "pg_ctl", "createdb")
    return next((f for f in found if all((f / name).is_file() for name in needed)), None)


class Throwaway:
    """A PostgreSQL server in a temporary folder on a free loopback port, trusting local users.

    As root it runs as the `postgres` user (the server refuses root), as .ci/postgres.sh does.
    """

    def __init__(self, bindir: Path) -> None:
        self._bin = bindir
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.folder = Path(tempfile.mkdtemp(prefix="replica-bot-pg."))
        self._data = self.folder / "data"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> None:
        """Make the cluster, start the server and create the tests' database."""
        if self._as:
            shutil.chown(self.folder, "postgres")
        self._run("initdb", "-D", str(self._data), "-A", "trust", "-U", "postgres", "--no-sync")
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=200"
        )
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "-D", str(self._data), "-l", log, "-w", "-o", options, "start")
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", DATABASE)

    def stop(self) -> None:
        """Stop the server at once and delete everything it wrote."""
        if (self._data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self._data), "-m", "immediate", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        done = subprocess.run(  # noqa: S603 (PostgreSQL's own programs)
            [*self._as, str(self._bin / program), *args],
            capture_output=True,
            text=True,
            check=False,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.strip()}")
