"""A throwaway PostgreSQL server for tests: ``running_postgres(tmp_dir)`` initialises a fresh
cluster, starts it on a free port of 127.0.0.1 and yields an SQLAlchemy URL of its empty
``gradebook`` database; on exit it stops the server and removes its files.

The binaries come from PATH or from Debian's /usr/lib/postgresql/<version>/bin (`apt-get install
postgresql`; .ci/run does it). PostgreSQL refuses to run as root, so as root the server runs as
the ``postgres`` system user, in a directory that user owns. Nothing here uses a cluster that
the system may already run: ours has its own data, port and socket directory."""
import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

DATABASE = "gradebook"
SUPERUSER = "postgres"
SYSTEM_USER = "postgres"  # who runs the server when the tests run as root
DEBIAN_BIN_DIRS = "/usr/lib/postgresql/*/bin"
INSTALL_HINT = "install PostgreSQL (Debian: apt-get install postgresql)"


def binaries():
    """Paths of ``initdb`` and ``pg_ctl``, from PATH first, else from the newest Debian
    version; None if there are none."""
    on_path = [shutil.which(name) for name in ("initdb", "pg_ctl")]
    if all(on_path):
        return {"initdb": on_path[0], "pg_ctl": on_path[1]}
    for bin_dir in sorted(glob.glob(DEBIAN_BIN_DIRS), key=_version, reverse=True):
        found = {name: os.path.join(bin_dir, name) for name in ("initdb", "pg_ctl")}
        if all(os.access(path, os.X_OK) for path in found.values()):
            return found
    return None


def _version(bin_dir):
    """The major version in /usr/lib/postgresql/<version>/bin, for sorting: 9 < 15 < 16."""
    name = Path(bin_dir).parent.name
    return int(name) if name.isdigit() else 0


def missing():
    """What keeps a server from starting here, in words; None if nothing does."""
    if binaries() is None:
        return f"PostgreSQL's initdb and pg_ctl are neither on PATH nor in {DEBIAN_BIN_DIRS}: {INSTALL_HINT}"
    if os.getuid() == 0:
        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            return (f"running as root, the server must run as the '{SYSTEM_USER}' system user, "
                    f"which does not exist: {INSTALL_HINT}, or create that user")
    return None


def postgres_available():
    """Whether ``running_postgres`` can start a server on this machine."""
    return missing() is None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_postgres(tmp_dir):
    """Start a fresh PostgreSQL server; yield ``postgresql+psycopg2://postgres@127.0.0.1:<port>/gradebook``.

    Its files go in a new directory under ``tmp_dir``; as root, under the system's temporary
    directory instead, since the ``postgres`` user cannot enter pytest's root-only tmp_path."""
    problem = missing()
    if problem:
        raise RuntimeError(problem)
    as_root = os.getuid() == 0
    base = Path(tempfile.mkdtemp(prefix="postgres-", dir=None if as_root else tmp_dir))
    data, sockets, log = base / "data", base / "sockets", base / "server.log"
    sockets.mkdir()
    if as_root:
        user = pwd.getpwnam(SYSTEM_USER)
        for path in (base, sockets):
            os.chown(path, user.pw_uid, user.pw_gid)
    port = free_port()
    try:
        _run(["initdb", "-D", data, "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
              "--no-locale", "--no-sync"], base)
        with open(data / "postgresql.conf", "a") as conf:  # the last setting of a name wins
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {port}\n"
                       f"unix_socket_directories = '{sockets}'\nfsync = off\n")
        _run(["pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "start"], base)
        server = f"postgresql+psycopg2://{SUPERUSER}@127.0.0.1:{port}"
        engine = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {DATABASE}"))
        engine.dispose()
        yield f"{server}/{DATABASE}"
    finally:
        try:
            pid_file = data / "postmaster.pid"
            if pid_file.exists():  # started, even if pg_ctl gave up waiting
                pid = int(pid_file.read_text().split()[0])
                _run(["pg_ctl", "-D", data, "-m", "fast", "-w", "stop"], base)
                _wait_until_reaped(pid)
        finally:
            shutil.rmtree(base, ignore_errors=True)


def _wait_until_reaped(pid, timeout=10):
    """pg_ctl returns once the server has exited, but the process lingers as a zombie until
    init reaps it (it is not our child): wait for that, so that no ``postgres`` is left."""
    deadline = time.monotonic() + timeout
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.05)


def _run(command, cwd):
    """Run a PostgreSQL program, as the ``postgres`` user when we are root; on failure raise
    with its output and the server's log."""
    name, *args = command
    command = [binaries()[name], *map(str, args)]
    if os.getuid() == 0:
        command = ["runuser", "-u", SYSTEM_USER, "--", *command]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        log = Path(cwd) / "server.log"
        server_log = log.read_text() if log.exists() else "(no server log)"
        raise RuntimeError(f"{name} failed ({result.returncode}): {' '.join(command)}\n"
                           f"{result.stdout}{result.stderr}\nserver log:\n{server_log}")
    return result
