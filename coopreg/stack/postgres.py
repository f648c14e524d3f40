"""A local PostgreSQL server run from Debian's server binaries, in a data directory of the project's own.

PostgreSQL refuses to run as root: as root the server runs as the `postgres` system user.
Its superuser has no password and is refused over TCP: it comes in through the stack's Unix socket only
(a directory only the server's user may enter), to provision the roles, schemas and grants
(coopreg/provision.py) of the database; the services log in over TCP, each as its schema's role.
"""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

from coopreg.provision import provisioning_sql
from coopreg.stack.process import port_open, wait_until
from shared.settings import Settings

SERVER_CONF = """
listen_addresses = '127.0.0.1'
max_connections = 300
shared_buffers = 512MB
work_mem = 16MB
maintenance_work_mem = 256MB
max_wal_size = 4GB
checkpoint_timeout = 15min
wal_compression = on
unix_socket_permissions = 0700
"""

# Over TCP, passwords only, and never the superuser (it has no password: the socket is its only door).
PG_HBA = """local all all trust
host all postgres 127.0.0.1/32 reject
host all all 127.0.0.1/32 scram-sha-256
"""


def find_bin_dir() -> Path:
    for version in ("17", "16", "15"):
        candidate = Path(f"/usr/lib/postgresql/{version}/bin")
        if (candidate / "pg_ctl").exists():
            return candidate
    raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql-15")


class PostgresServer:
    def __init__(self, settings: Settings) -> None:
        self.pg = settings.pg
        self.home = settings.stack.dir / "postgres"
        self.data = self.home / "pgdata"
        self.sockets = self.home / "run"
        self.log = self.home / "postgres.log"

    @property
    def as_root(self) -> bool:
        return os.geteuid() == 0

    def _run(self, args: list[str], check: bool = True, **kw) -> subprocess.CompletedProcess:
        if self.as_root:
            args = ["runuser", "-u", "postgres", "--", *args]
        return subprocess.run(args, check=check, **kw)

    def _prepare_dirs(self) -> None:
        for path in (self.home, self.sockets):
            path.mkdir(parents=True, exist_ok=True)
        if self.as_root:
            user = pwd.getpwnam("postgres")
            for path in (self.home, self.sockets):
                os.chown(path, user.pw_uid, user.pw_gid)

    def _initdb(self, bin_dir: Path, say) -> None:
        if (self.data / "PG_VERSION").exists():
            return
        say(f"initialising a PostgreSQL cluster in {self.data}")
        self._run([str(bin_dir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                   "-E", "UTF8", "--locale=C.UTF-8"], stdout=subprocess.DEVNULL)
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(SERVER_CONF)

    def running(self) -> bool:
        bin_dir = find_bin_dir()
        result = self._run([str(bin_dir / "pg_ctl"), "status", "-D", str(self.data)], check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return result.returncode == 0

    def start(self, say) -> None:
        bin_dir = find_bin_dir()
        self._prepare_dirs()
        self._initdb(bin_dir, say)
        if self.running():
            say(f"postgres already running on 127.0.0.1:{self.pg.port}")
        else:
            if port_open(self.pg.port):
                raise RuntimeError(f"port {self.pg.port} is taken by another process: "
                                   "set COOPREG_PG_PORT to a free port")
            say(f"starting PostgreSQL on 127.0.0.1:{self.pg.port}")
            opts = f"-p {self.pg.port} -k {self.sockets}"
            self._run([str(bin_dir / "pg_ctl"), "start", "-D", str(self.data), "-l", str(self.log),
                       "-o", opts, "-w", "-t", "60"], stdout=subprocess.DEVNULL)
        wait_until(lambda: port_open(self.pg.port), 30, "PostgreSQL did not open its port")
        self._configure_access(bin_dir, say)
        self._ensure_database()

    def _configure_access(self, bin_dir: Path, say) -> None:
        """pg_hba.conf as PG_HBA; a stack made before (the superuser let in over TCP without a password) is
        rewritten and the running server reloads it, without a restart."""
        hba = self.data / "pg_hba.conf"
        if hba.read_text() == PG_HBA:
            return
        say("PostgreSQL: the superuser over the Unix socket only")
        hba.write_text(PG_HBA)
        self._run([str(bin_dir / "pg_ctl"), "reload", "-D", str(self.data)], stdout=subprocess.DEVNULL)

    def _psql(self, sql: str, db: str = "postgres") -> str:
        # The script on stdin, not in the arguments: it holds the roles' passwords.
        psql = shutil.which("psql") or str(find_bin_dir() / "psql")
        out = self._run([psql, "-h", str(self.sockets), "-p", str(self.pg.port), "-U", self.pg.superuser,
                         "-d", db, "-tAq", "-v", "ON_ERROR_STOP=1", "-f", "-"], input=sql,
                        capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise RuntimeError(f"psql on {db} failed: {out.stderr.strip()}")
        return out.stdout.strip()

    def _ensure_database(self) -> None:
        """The operator's role and its database, then the roles, schemas and grants (idempotent)."""
        user, db = self.pg.user, self.pg.database
        if self._psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{user}'") != "1":
            self._psql(f"CREATE ROLE \"{user}\" LOGIN CREATEDB")
        if self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'") != "1":
            self._psql(f"CREATE DATABASE \"{db}\" OWNER \"{user}\"")
        self._psql(provisioning_sql(self.pg, db), db=db)

    def stop(self, say, mode: str = "fast") -> None:
        if not (self.data / "PG_VERSION").exists() or not self.running():
            return
        say(f"stopping postgres ({mode})")
        self._run([str(find_bin_dir() / "pg_ctl"), "stop", "-D", str(self.data), "-m", mode, "-w"],
                  stdout=subprocess.DEVNULL)

    def status(self) -> tuple[bool, str]:
        """Whether the server runs, and where it listens."""
        return (self.data / "PG_VERSION").exists() and self.running(), f"127.0.0.1:{self.pg.port}"
