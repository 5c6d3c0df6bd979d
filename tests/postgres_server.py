"""A throwaway PostgreSQL server for the tests, from Debian's package.

The tests start the real server themselves, so nothing about PostgreSQL is
mocked: a cluster is made with ``initdb`` in a temporary folder, owned by an
unprivileged user (PostgreSQL refuses to run as root, which is how the tests
run on a fresh machine), listening on a free loopback port with password
authentication, exactly as a service would connect to it. It is stopped, and
the folder removed, when the tests end.

``./scripts/test`` installs the ``postgresql`` package; this module only
finds its programs. Nothing here falls back to skipping: a machine without
PostgreSQL fails with a message saying what to install.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

#: The unprivileged account the server runs as when the tests run as root.
SERVER_ACCOUNT = "nextround-pg"
#: The cluster's superuser, who owns the databases the tests make.
SUPERUSER = "nextround_admin"


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's programs are not on this machine, or the server did not start."""


def postgres_bin_dir() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl`` (newest installed version)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda path: int(Path(path).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    raise PostgresUnavailable(
        "PostgreSQL's initdb was not found: install Debian's postgresql package "
        "(./scripts/test does so)")


def free_port() -> int:
    """A TCP port on loopback that nothing is listening on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_account() -> pwd.struct_passwd | None:
    """The account to run the server as: ours when root (made once), else none (ourselves)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVER_ACCOUNT)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        SERVER_ACCOUNT], check=True, capture_output=True)
        return pwd.getpwnam(SERVER_ACCOUNT)


def _as_account(account: pwd.struct_passwd | None):
    """A ``preexec_fn`` dropping to ``account``, or None to stay as we are."""
    if account is None:
        return None

    def drop() -> None:
        os.setgid(account.pw_gid)
        os.setuid(account.pw_uid)

    return drop


@dataclass
class PostgresServer:
    """One running cluster on loopback; :meth:`start` it, :meth:`stop` it."""

    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="nextround-pg-")))
    port: int = field(default_factory=free_port)
    password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    bin_dir: Path = field(default_factory=postgres_bin_dir)
    _account: pwd.struct_passwd | None = None
    _databases: int = 0

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def socket_dir(self) -> Path:
        return self.folder / "socket"

    def url(self, database: str = "postgres", user: str = SUPERUSER,
            password: str | None = None) -> str:
        """A SQLAlchemy URL for ``user`` (the superuser by default) on ``database``."""
        secret = self.password if password is None else password
        return f"postgresql+psycopg://{user}:{secret}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str | Path) -> subprocess.CompletedProcess:
        result = subprocess.run([str(arg) for arg in args], capture_output=True, text=True,
                                preexec_fn=_as_account(self._account), cwd=self.folder)
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"{Path(str(args[0])).name} failed ({result.returncode}):\n"
                f"{result.stdout}{result.stderr}")
        return result

    def start(self) -> PostgresServer:
        """Make the cluster and start it; returns once it accepts connections."""
        self._account = _server_account()
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        password_file = self.folder / "superuser-password"
        password_file.write_text(self.password + "\n")
        if self._account is not None:
            for path in (self.folder, self.socket_dir, password_file):
                os.chown(path, self._account.pw_uid, self._account.pw_gid)
        self._run(self.bin_dir / "initdb", "--pgdata", self.data_dir, "--username", SUPERUSER,
                  "--pwfile", password_file, "--auth", "scram-sha-256", "--encoding", "UTF8",
                  "--locale", "C.UTF-8", "--no-sync")
        password_file.unlink()
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                   f"-c unix_socket_directories={self.socket_dir} -c fsync=on "
                   "-c max_connections=200 -c shared_buffers=32MB")
        self._run(self.bin_dir / "pg_ctl", "--pgdata", self.data_dir, "--log",
                  self.folder / "server.log", "--options", options, "--wait", "--timeout", "120",
                  "start")
        return self

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        if self.data_dir.exists():
            with contextlib.suppress(PostgresUnavailable):
                self._run(self.bin_dir / "pg_ctl", "--pgdata", self.data_dir, "--mode", "immediate",
                          "--wait", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def log(self) -> str:
        """The server's log so far, to explain a failure."""
        path = self.folder / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def new_database(self, prefix: str = "nextround_test", template: str | None = None) -> str:
        """Create an empty database owned by the superuser, or a copy of ``template``;
        returns its URL."""
        self._databases += 1
        name = f"{prefix}_{os.getpid()}_{self._databases}"
        copy = f' TEMPLATE "{template}" STRATEGY WAL_LOG' if template else ""
        self.execute(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by :meth:`new_database`, closing any connection to it."""
        name = url.rsplit("/", 1)[1]
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def execute(self, statement: str) -> None:
        """Run one statement as the superuser outside any transaction (as
        ``CREATE DATABASE`` must be)."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(statement))
        finally:
            engine.dispose()
