#!/usr/bin/env python3.11
"""Run Storefleet's reference ERP: a real Tryton 8.2 server on loopback.

Stdlib only (it runs before any virtualenv exists). Subcommands:

  ensure                    create the ERP's own virtualenv and install requirements.lock
  build                     ensure, then build the seeded SQLite database once (cached)
  serve --port P --data-dir DIR [--fresh] [--process-sales-after SECONDS]
                            copy the cached database into DIR and run trytond in the
                            foreground on 127.0.0.1:P for the database "storefleet",
                            with its queue worker (processes confirmed sales once the
                            grace period "Process Sale after" is over; none without one)
  wait --port P             wait until a server on 127.0.0.1:P answers
  path                      print the cached database path (builds nothing)

Environment:
  STOREFLEET_ERP_HOME       the ERP's working folder (default <repo>/var/erp):
                            venv/, cache/<SEED_VERSION>/storefleet.sqlite, ...
  STOREFLEET_ERP_PASSWORD   password of the ERP user "admin" (default "admin";
                            a local demo ERP only)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import fcntl
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
LOCK_FILE = HERE / "requirements.lock"
SEED_FILE = HERE / "seed.py"
RUN_FILE = HERE / "tryton_run.py"
DATABASE = "storefleet"
ADMIN_LOGIN = "admin"
DEFAULT_PASSWORD = "admin"
ADMIN_EMAIL = "admin@storefleet.localhost"
# A cached database older than this is rebuilt: the seed's dates (overdue
# invoices, incoming stock, fiscal years) are relative to the day of the build.
STALE_AFTER_DAYS = 14
PYTHON_SERIES = (3, 11)


def log(message: str) -> None:
    print(f"[erpctl] {message}", file=sys.stderr, flush=True)


def erp_home() -> Path:
    home = os.environ.get("STOREFLEET_ERP_HOME")
    return Path(home).resolve() if home else REPO / "var" / "erp"


def venv_dir() -> Path:
    return erp_home() / "venv"


def venv_bin(name: str) -> Path:
    return venv_dir() / "bin" / name


def admin_password() -> str:
    return os.environ.get("STOREFLEET_ERP_PASSWORD") or DEFAULT_PASSWORD


def _sha256(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def lock_hash() -> str:
    return _sha256(LOCK_FILE)


def seed_version() -> str:
    return _sha256(SEED_FILE, LOCK_FILE)[:16]


def cache_dir() -> Path:
    return erp_home() / "cache" / seed_version()


def cached_db() -> Path:
    return cache_dir() / f"{DATABASE}.sqlite"


@contextlib.contextmanager
def file_lock(path: Path):
    """Serialise ensure/build between concurrent erpctl processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run(cmd: list[str], **kwargs) -> None:
    log("$ " + " ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


# --------------------------------------------------------------------- ensure
def _find_uv() -> str | None:
    # On PATH, in the ERP's venv, or the one the Makefile bootstraps.
    for candidate in (
        shutil.which("uv"),
        venv_bin("uv"),
        REPO / "var" / "bootstrap" / "bin" / "uv",
    ):
        if candidate and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def _interpreter() -> str:
    if sys.version_info[:2] == PYTHON_SERIES:
        return sys.executable
    found = shutil.which("python{}.{}".format(*PYTHON_SERIES))
    if not found:
        sys.exit(
            "erpctl: Python {}.{} is required for the ERP "
            "(requirements.lock is compiled for it)".format(*PYTHON_SERIES)
        )
    return found


def ensure() -> None:
    """Create the ERP's virtualenv and install the lock into it (idempotent)."""
    stamp = venv_dir() / ".storefleet-lock.sha256"
    wanted = lock_hash()
    python = venv_bin("python")
    if python.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return
    with file_lock(erp_home() / ".ensure.lock"):
        if python.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
            return
        started = time.monotonic()
        uv = _find_uv()
        if not python.exists():
            if uv:
                run([uv, "venv", "--quiet", "--python", _interpreter(), venv_dir()])
            else:
                run([_interpreter(), "-m", "venv", venv_dir()])
        if stamp.exists():
            stamp.unlink()
        if uv:
            # Compiled now (pip does it by default): a server and its queue worker start
            # for every test module that needs an ERP of its own, and a shell that says not to
            # write bytecode (PYTHONDONTWRITEBYTECODE) would have each compile Tryton again.
            install = [uv, "pip", "install", "--quiet", "--compile-bytecode"]
            run([*install, "--python", python, "-r", LOCK_FILE])
        else:
            if not venv_bin("pip").exists():
                run([python, "-m", "ensurepip", "--upgrade"])
            run(
                [
                    python,
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "-r",
                    LOCK_FILE,
                ]
            )
        stamp.write_text(wanted + "\n")
        log(f"ERP virtualenv ready in {time.monotonic() - started:.1f}s: {venv_dir()}")


# ---------------------------------------------------------------------- build
def write_config(path: Path, data_dir: Path, port: int | None = None) -> None:
    lines = [
        "[database]",
        "uri = sqlite://",
        f"path = {data_dir}",
        "language = en",
        "",
        "[session]",
        # The platform logs in once per process and reuses the session.
        "max_age = 2592000",
        "timeout = 86400",
        "",
    ]
    if port is not None:
        lines += ["[web]", f"listen = 127.0.0.1:{port}", ""]
    path.write_text("\n".join(lines))


def _cache_is_fresh(folder: Path) -> bool:
    db = folder / f"{DATABASE}.sqlite"
    manifest = folder / "seed_manifest.json"
    if not (db.exists() and manifest.exists()):
        return False
    try:
        seeded_on = datetime.date.fromisoformat(json.loads(manifest.read_text())["seeded_on"])
    except (ValueError, KeyError, TypeError):
        return False
    age = (datetime.date.today() - seeded_on).days
    if age > STALE_AFTER_DAYS or age < -1:  # -1: seeded on UTC date, read locally
        log(f"cached ERP database was seeded on {seeded_on}: rebuilding")
        return False
    return True


def _checkpoint(db: Path) -> None:
    """Leave the whole database in its one file, so a file copy is complete."""
    connection = sqlite3.connect(db)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()
    for suffix in ("-wal", "-shm", "-journal"):
        leftover = db.with_name(db.name + suffix)
        if leftover.exists():
            leftover.unlink()


def _terminate_as_exit(signum, frame):
    raise SystemExit(128 + signum)


def build() -> Path:
    """Build the seeded database once into cache/<SEED_VERSION>/."""
    # A terminated build cleans its temporary folder up on the way out.
    signal.signal(signal.SIGTERM, _terminate_as_exit)
    ensure()
    final = cache_dir()
    if _cache_is_fresh(final):
        return final / f"{DATABASE}.sqlite"
    with file_lock(erp_home() / "cache" / ".build.lock"):
        if _cache_is_fresh(final):
            return final / f"{DATABASE}.sqlite"
        started = time.monotonic()
        final.parent.mkdir(parents=True, exist_ok=True)
        # Under the build lock, leftovers of killed builds are garbage.
        for leftover in final.parent.glob(".*.building-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        for leftover in final.parent.glob(".*.old-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix=f".{final.name}.building-", dir=final.parent))
        work.chmod(0o755)
        try:
            (work / f"{DATABASE}.sqlite").touch()
            conf = work / "trytond.conf"
            write_config(conf, work)
            passfile = work / "admin.pass"
            passfile.write_text(DEFAULT_PASSWORD + "\n")
            env = dict(os.environ, TRYTONPASSFILE=str(passfile))
            env.pop("TRYTON_CONFIG", None)
            run(
                [
                    venv_bin("python"),
                    SEED_FILE,
                    "--config",
                    conf,
                    "--database",
                    DATABASE,
                    "--email",
                    ADMIN_EMAIL,
                    "--manifest",
                    work / "seed_manifest.json",
                ],
                env=env,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
            )
            for leftover in (conf, passfile):
                leftover.unlink()
            _checkpoint(work / f"{DATABASE}.sqlite")
            # Swap in atomically: a reader sees the old complete folder or
            # the new complete one, never a half-built one.
            if final.exists():
                old = final.with_name(f".{final.name}.old-{os.getpid()}")
                final.rename(old)
                work.rename(final)
                shutil.rmtree(old, ignore_errors=True)
            else:
                work.rename(final)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        # Databases of other seed versions are of no more use.
        for other in final.parent.iterdir():
            if other.is_dir() and not other.name.startswith(".") and other != final:
                shutil.rmtree(other, ignore_errors=True)
        log(
            f"ERP database built in {time.monotonic() - started:.1f}s: "
            f"{final / (DATABASE + '.sqlite')}"
        )
        print(f"seed manifest: {final / 'seed_manifest.json'}", flush=True)
        return final / f"{DATABASE}.sqlite"


# ---------------------------------------------------------------------- serve
def rpc(port: int, method: str, params: list, database: str | None = None, timeout: float = 5.0):
    url = f"http://127.0.0.1:{port}/" + (f"{database}/" if database else "") + "rpc/"
    body = json.dumps({"id": 1, "method": method, "params": params}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def wait(port: int, timeout: float = 60.0, process=None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            if "result" in rpc(port, "common.server.version", [], timeout=2):
                return True
        except (OSError, ValueError, urllib.error.URLError):
            pass
        time.sleep(0.1)
    return False


def _set_password(data_dir: Path, conf: Path) -> None:
    """Give the copied database the configured admin password (if not the
    default one the cache was built with)."""
    password = admin_password()
    marker = data_dir / ".admin-password.sha256"
    digest = hashlib.sha256(password.encode()).hexdigest()
    current = (
        marker.read_text().strip()
        if marker.exists()
        else (hashlib.sha256(DEFAULT_PASSWORD.encode()).hexdigest())
    )
    if current == digest:
        return
    with tempfile.NamedTemporaryFile("w", dir=data_dir, delete=False) as fh:
        fh.write(password + "\n")
    try:
        run(
            [venv_bin("trytond-admin"), "-c", conf, "-d", DATABASE, "--password"],
            env=dict(os.environ, TRYTONPASSFILE=fh.name),
            stdin=subprocess.DEVNULL,
        )
    finally:
        os.unlink(fh.name)
    marker.write_text(digest + "\n")


LOGGING_CONF = """\
[formatters]
keys=simple

[formatter_simple]
format=[%(asctime)s] %(levelname)s %(name)s %(message)s

[handlers]
keys=stderr

[handler_stderr]
class=StreamHandler
formatter=simple
args=(sys.stderr,)

[loggers]
keys=root,werkzeug

[logger_root]
level=WARNING
handlers=stderr

[logger_werkzeug]
level={werkzeug_level}
handlers=stderr
propagate=0
qualname=werkzeug
"""


def _die_with_parent() -> None:
    """Make the server die with erpctl even if erpctl is SIGKILLed (Linux)."""
    # Not on Linux (no libc.so.6 or no prctl): the server just doesn't get it.
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _set_process_after(target: Path, seconds: float | None) -> None:
    """Set the sale configuration's "Process Sale after" in the copied database: the grace
    period in which a confirmed sale can still be cancelled (0: processed at once). Written
    before the server starts, so no cache of it is stale."""
    if seconds is None:
        return
    connection = sqlite3.connect(target)
    try:
        with connection:
            connection.execute(
                "UPDATE sale_configuration SET sale_process_after = ?",
                (float(seconds) if seconds > 0 else None,),
            )
    finally:
        connection.close()
    log(f"sales are processed {seconds:g}s after confirmation")


def _sales_wait(target: Path) -> bool:
    """Whether the database's sale configuration keeps confirmed sales waiting ("Process Sale
    after" set): then a queue worker must process them when their time comes."""
    connection = sqlite3.connect(target, timeout=30)
    try:
        rows = connection.execute("SELECT sale_process_after FROM sale_configuration").fetchall()
    finally:
        connection.close()
    return any(value for (value,) in rows)


def _wal(db: Path) -> None:
    """Put the database in WAL mode before the server and its queue worker open it. Each of
    them asks for WAL on connecting; turning it on takes the file's exclusive lock, so the two
    starting at once on a copy in rollback mode could find it locked ("database is locked": the
    worker exited and took the ready server down with it, seen in CI). Once set it persists,
    and asking again changes nothing and locks nothing."""
    connection = sqlite3.connect(db, timeout=30)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()


def serve(
    port: int,
    data_dir: Path,
    fresh: bool,
    timeout: float,
    access_log: bool = False,
    process_after: float | None = None,
) -> int:
    source = build()
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / f"{DATABASE}.sqlite"
    if fresh or not target.exists():
        for suffix in ("-wal", "-shm", "-journal"):
            stale = data_dir / f"{DATABASE}.sqlite{suffix}"
            if stale.exists():
                stale.unlink()
        partial = data_dir / f".{DATABASE}.sqlite.copy-{os.getpid()}"
        shutil.copyfile(source, partial)
        partial.replace(target)
        shutil.copyfile(source.with_name("seed_manifest.json"), data_dir / "seed_manifest.json")
        marker = data_dir / ".admin-password.sha256"
        if marker.exists():
            marker.unlink()
        log(f"copied {source} -> {target}")
    _set_process_after(target, process_after)
    _wal(target)
    conf = data_dir / "trytond.conf"
    write_config(conf, data_dir, port)
    _set_password(data_dir, conf)
    logconf = data_dir / "logging.conf"
    logconf.write_text(LOGGING_CONF.format(werkzeug_level="INFO" if access_log else "WARNING"))

    started = time.monotonic()
    env = dict(os.environ)
    env.pop("TRYTON_CONFIG", None)
    python = str(venv_bin("python"))
    common = ["-c", str(conf), "-d", DATABASE, "--logconf", str(logconf)]
    server = subprocess.Popen(
        [python, str(RUN_FILE), "server", *common],
        env=env,
        stdin=subprocess.DEVNULL,
        preexec_fn=_die_with_parent,
    )
    # The queue worker: runs what Tryton scheduled for later, which among the modules here is
    # only a confirmed sale's processing after the grace period ("Process Sale after"). It
    # lives and dies with the server. With no grace period nothing is ever scheduled for later
    # (the server runs every queued task itself), so none is started: its start costs a second
    # of a core, and the test suite starts ~160 servers, most of them without one.
    worker: subprocess.Popen[bytes] | None = None
    if _sales_wait(target):
        worker = subprocess.Popen(
            [python, str(RUN_FILE), "worker", *common],
            env=env,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
    else:
        log("no queue worker: sales are processed at once, nothing waits in the queue")
    children = (server, worker) if worker is not None else (server,)

    def forward(signum, frame):
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM if signum == signal.SIGHUP else signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)

    if wait(port, timeout, process=server):
        print(
            f"ERP ready: http://127.0.0.1:{port}/{DATABASE}/ "
            f"(user {ADMIN_LOGIN}) in {time.monotonic() - started:.1f}s",
            flush=True,
        )
    elif server.poll() is None:
        log(f"trytond did not answer on port {port} within {timeout:.0f}s")
        server.terminate()
    # Whichever of the two ends first (a signal, a crash), the other follows.
    while all(child.poll() is None for child in children):
        try:
            time.sleep(0.2)
        except KeyboardInterrupt:
            continue
    if worker is not None and worker.poll() is not None and server.poll() is None:
        log(f"the ERP's queue worker exited with {worker.returncode}: stopping the server")
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        while True:
            try:
                child.wait()
                break
            except KeyboardInterrupt:
                continue
    code = server.returncode
    return code if code >= 0 else 128 - code


# ----------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="erpctl", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("ensure", help="install the ERP's virtualenv")
    commands.add_parser("build", help="build the seeded database (cached)")
    p_serve = commands.add_parser("serve", help="run the ERP server")
    p_serve.add_argument("--port", type=int, default=8010)
    p_serve.add_argument(
        "--data-dir", type=Path, default=None, help="default: $STOREFLEET_ERP_HOME/data"
    )
    p_serve.add_argument(
        "--fresh", action="store_true", help="replace the database in DATA_DIR with a fresh copy"
    )
    p_serve.add_argument(
        "--timeout", type=float, default=60.0, help="seconds to wait for the server to answer"
    )
    p_serve.add_argument("--access-log", action="store_true", help="log every HTTP request")
    p_serve.add_argument(
        "--process-sales-after",
        type=float,
        default=None,
        metavar="SECONDS",
        help="grace period in which a confirmed sale stays cancellable (0: processed at once; "
        "default: the database's, 30 minutes in the seed)",
    )
    p_wait = commands.add_parser("wait", help="wait for the server")
    p_wait.add_argument("--port", type=int, default=8010)
    p_wait.add_argument("--timeout", type=float, default=60.0)
    commands.add_parser("path", help="print the cached database path")
    args = parser.parse_args(argv)

    if args.command == "ensure":
        ensure()
    elif args.command == "build":
        print(build(), flush=True)
    elif args.command == "serve":
        data_dir = args.data_dir or erp_home() / "data"
        return serve(
            args.port,
            data_dir,
            args.fresh,
            args.timeout,
            args.access_log,
            args.process_sales_after,
        )
    elif args.command == "wait":
        if not wait(args.port, args.timeout):
            print(
                f"ERP on port {args.port} did not answer within {args.timeout:.0f}s",
                file=sys.stderr,
            )
            return 1
        print(f"ERP answering on http://127.0.0.1:{args.port}/")
    elif args.command == "path":
        print(cached_db())
    return 0


if __name__ == "__main__":
    sys.exit(main())
