"""A Celery worker in a process of its own, on the test database and the test broker: for tests
that must kill it (SIGKILL) or that need the worker to be as separate as it is in production.

The worker runs ``celery -A storefleet worker`` with the test settings and the environment the
test gives it. It reaches the test database through ``DATABASE_URL`` (the SQLite test database
is a file, see settings/test.py; in CI the PostgreSQL test database) and the broker the test
process sends to: the configured one (Redis in CI) or, when that is ``memory://``, which no other
process can see, a ``filesystem://`` broker in a folder of the test's own (``shared_broker``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
PLATFORM = REPO / "platform"
READY_TIMEOUT = 90


def database_url(settings_dict: Mapping[str, object]) -> str:
    """``DATABASE_URL`` for the database a connection's settings name (after pytest-django set
    up the test database, its NAME is the test database)."""
    engine = str(settings_dict["ENGINE"])
    name = str(settings_dict["NAME"])
    if engine.endswith("sqlite3"):
        if not name or name == ":memory:" or name.startswith("file:"):
            raise RuntimeError("a worker process can't share an in-memory SQLite database")
        return f"sqlite:///{Path(name).resolve()}"
    if engine.endswith("postgresql"):
        user = quote(str(settings_dict.get("USER") or ""), safe="")
        password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "localhost"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{credentials}{host}:{port}/{quote(name, safe='')}"
    raise RuntimeError(f"no DATABASE_URL for {engine}")


@contextlib.contextmanager
def shared_broker(folder: Path) -> Iterator[dict[str, str]]:
    """Make the test process send its tasks where a worker process can get them; yields the
    environment that points a worker at the same broker.

    With a real broker configured (Redis in CI) that is the broker itself. With ``memory://``
    (local ``make test``) the test process's Celery app is pointed, for the duration, at a
    ``filesystem://`` broker in ``folder``, with the folders settings/base.py gives it."""
    from django.conf import settings

    from storefleet.celery import app

    url = settings.CELERY_BROKER_URL
    if not url.startswith("memory://"):
        yield {"CELERY_BROKER_URL": url}
        return
    queue = folder / "celery" / "queue"
    options = {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(folder / "celery" / "processed"),
        "control_folder": str(folder / "celery" / "control"),
        "store_processed": False,
        "polling_interval": 0.1,
    }
    for path in (queue, folder / "celery" / "processed", folder / "celery" / "control"):
        path.mkdir(parents=True, exist_ok=True)
    saved = {
        key: app.conf[key] for key in ("broker_url", "broker_transport", "broker_transport_options")
    }
    app.conf.broker_url = "filesystem://"
    app.conf.broker_transport = "storefleet.celery:AtomicFilesystemTransport"  # as celery.py does
    app.conf.broker_transport_options = options
    _forget_connections(app)
    try:
        yield {"CELERY_BROKER_URL": "filesystem://", "STOREFLEET_VAR_DIR": str(folder)}
    finally:
        app.conf.update(saved)
        _forget_connections(app)


def _forget_connections(app) -> None:  # type: ignore[no-untyped-def]
    """Drop the app's pooled broker connections, so the next send uses the broker now set.

    The app's pool is kombu's process-wide one for that broker URL (``kombu.pools``): closing
    it but leaving it registered made the next ``memory://`` send after this fixture acquire
    from a closed pool. ``pools.reset()`` closes and forgets every registered pool, so the
    next send builds a fresh one for whichever broker is configured."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


class WorkerProcess:
    """``celery -A storefleet worker`` as its own process group: ``kill()`` is a SIGKILL to
    all of it (the main process and its pool), as an OOM killer or a lost machine would."""

    def __init__(self, env: Mapping[str, str], log_path: Path, *, args: tuple[str, ...] = ()):
        self.env = dict(env)
        self.log_path = log_path
        self.args = args
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        command = [str(Path(sys.executable).parent / "celery"), "-A", "storefleet", "worker"]
        command += ["--loglevel=INFO", "--without-heartbeat", "--without-gossip"]
        command += ["--without-mingle", *self.args]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=PLATFORM,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + READY_TIMEOUT
        while " ready." not in self.log()[offset:]:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("the Celery worker did not start:\n" + self.log()[-6000:])
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the whole worker: nothing it holds is handed back."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout: float = 30) -> None:
        """A warm shutdown (SIGTERM), killed if it takes longer than ``timeout`` seconds."""
        if self.process is None or self.process.poll() is not None:
            self.kill()
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=timeout)
        self.kill()  # whatever is left of the group

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
