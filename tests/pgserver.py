"""Start a throwaway PostgreSQL server for the test run.

``tests/settings.py`` calls this when ``CCHC_TEST_DB=postgres``: initdb in a temp
directory, ``postgres`` on a free loopback port, ``DATABASE_URL`` set before the real
settings read it. initdb and postgres refuse to run as root, so as root
they run as the ``postgres`` user through ``runuser``.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time


def _pg_bindir() -> str | None:
    found = shutil.which("initdb")
    if found:
        return os.path.dirname(found)
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return os.path.dirname(candidates[0]) if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_postgres() -> str:
    """Start the server; return its DATABASE_URL. Raise RuntimeError if impossible."""
    bindir = _pg_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries (initdb) not found")
    datadir = tempfile.mkdtemp(prefix="cchc-pg-")
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(datadir, "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(
        [*prefix, f"{bindir}/initdb", "-D", datadir, "-A", "trust", "-U", "postgres",
         "-E", "UTF8", "--locale=C.UTF-8"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    proc = subprocess.Popen(
        [*prefix, f"{bindir}/postgres", "-D", datadir, "-p", str(port), "-k", datadir,
         "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
         "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(datadir, ignore_errors=True)

    atexit.register(stop)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("postgres exited at start") from None
            time.sleep(0.1)
    else:
        raise RuntimeError("postgres did not start within 30 s")
    return f"postgres://postgres@127.0.0.1:{port}/postgres"
