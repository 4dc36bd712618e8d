"""The reference ERP (Tryton 8.2, infra/local/erp) for every test of ERP behaviour.

A pytest plugin (registered in tests/conftest.py; standalone: ``-p tests.erp_support``), stdlib
only. ``erp_server`` is one server for the whole session, started through erpctl.py from a
fresh copy of the cached seeded database on a free loopback port; tests that write in a way
others would notice use ``fresh_erp_server`` (their own copy, per module) or
``start_erp_server`` (their own server they can stop and restart). A failing build fails the
tests (never skips them).

Every server runs with its queue worker. Tests' servers process a confirmed sale at once
(``process_sales_after=0``) unless a test asks for a grace period: the seed's 30 minutes is what
``make demo`` runs with; ``start_erp_server(process_sales_after=2)`` gives a test a sale that is
cancellable for two seconds and then processed by the worker.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ERPCTL = REPO / "infra" / "local" / "erp" / "erpctl.py"
DATABASE = "storefleet"
BUILD_TIMEOUT = 900  # first build: virtualenv + modules + seed (~100 s here)
START_TIMEOUT = 90


def _python() -> str:
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    found = shutil.which("python3.11")
    if not found:
        pytest.fail("python3.11 is needed to run the reference ERP")
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _decode(obj):
    kind = obj.get("__class__")
    if kind == "Decimal":
        return Decimal(obj["decimal"])
    if kind == "date":
        return datetime.date(obj["year"], obj["month"], obj["day"])
    if kind == "datetime":
        return datetime.datetime(
            obj["year"],
            obj["month"],
            obj["day"],
            obj["hour"],
            obj["minute"],
            obj["second"],
            obj.get("microsecond", 0),
        )
    return obj


def _encode(value):
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, datetime.datetime):
        raise TypeError("datetime not needed here")
    if isinstance(value, datetime.date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    raise TypeError(f"cannot encode {value!r}")


class ErpError(Exception):
    """An error answered by the ERP: kind ("UserError", "UserWarning", ...)
    and its arguments."""

    def __init__(self, kind, args):
        super().__init__(kind, args)
        self.kind = kind
        self.error_args = args


class ErpClient:
    """Minimal JSON-RPC client: log in once, reuse the session."""

    Error = ErpError

    def __init__(self, port: int, database: str = DATABASE):
        self.base = f"http://127.0.0.1:{port}"
        self.database = database
        self.auth = None
        self.context: dict = {}
        self._id = 0

    def _post(self, path, method, params):
        self._id += 1
        body = json.dumps(
            {"id": self._id, "method": method, "params": params}, default=_encode
        ).encode()
        headers = {"Content-Type": "application/json"}
        if self.auth:
            headers["Authorization"] = self.auth
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read(), object_hook=_decode)
        if answer.get("error"):
            error = answer["error"]
            if isinstance(error, list) and len(error) == 2:
                raise ErpError(*error)
            raise ErpError(str(error), None)
        return answer["result"]

    def version(self):
        return self._post("/rpc/", "common.server.version", [])

    def login(self, login="admin", password=None):
        password = password or os.environ.get("STOREFLEET_ERP_PASSWORD") or "admin"
        user_id, token, *_ = self._post(
            f"/{self.database}/rpc/", "common.db.login", [login, {"password": password}, "en"]
        )
        session = base64.b64encode(f"{login}:{user_id}:{token}".encode()).decode()
        self.auth = f"Session {session}"
        self.context = self._post(
            f"/{self.database}/rpc/", "model.res.user.get_preferences", [True, {}]
        )
        return user_id

    def call(self, method, *params, **context):
        ctx = dict(self.context)
        ctx.update(context)
        return self._post(f"/{self.database}/rpc/", method, [*params, ctx])

    def model(self, model, method, *params, **context):
        return self.call(f"model.{model}.{method}", *params, **context)

    def search_read(self, model, domain, fields, order=None, limit=None, **context):
        return self.model(model, "search_read", domain, 0, limit, order, fields, **context)

    def search_count(self, model, domain, **context):
        return len(self.model(model, "search", domain, 0, None, None, **context))


class ErpServer:
    """A running reference ERP: ``url``, ``database``, ``user``, ``password``, ``manifest``.
    ``stop()`` terminates it (as an outage would); ``start()`` brings it back on the same port
    with the same data."""

    def __init__(self, port: int, data_dir: Path, process_sales_after: float | None = 0):
        self.port = port
        self.process_sales_after = process_sales_after
        self.data_dir = data_dir
        self.log_path = data_dir / "server.log"
        self.url = f"http://127.0.0.1:{port}/"
        self.database = DATABASE
        self.user = "admin"
        self.password = os.environ.get("STOREFLEET_ERP_PASSWORD") or "admin"
        self.process: subprocess.Popen[bytes] | None = None
        self.manifest: dict = {}
        self.build_seconds = 0.0
        self.start_seconds = 0.0

    def start(self, *, fresh: bool = False) -> None:
        started = time.monotonic()
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "a") as log:
            command = [_python(), str(ERPCTL), "serve", "--port", str(self.port)]
            command += ["--data-dir", str(self.data_dir)] + (["--fresh"] if fresh else [])
            if self.process_sales_after is not None:
                command += ["--process-sales-after", str(self.process_sales_after)]
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_TIMEOUT
        while "ERP ready:" not in self.log(since=offset):
            if self.process.poll() is not None:
                pytest.fail(
                    f"erpctl serve exited with {self.process.returncode}:\n" + self.log()[-8000:],
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(
                    f"the ERP did not start within {START_TIMEOUT}s:\n" + self.log()[-8000:],
                    pytrace=False,
                )
            time.sleep(0.1)
        self.manifest = json.loads((self.data_dir / "seed_manifest.json").read_text())
        # Tryton loads a database's models on its first request to it: one login here, before
        # any test's (in CI a module's first login answered KeyError 'res.user' once, as if it
        # met the models half loaded), tried again if it fails that way.
        for attempt in range(3):
            try:
                self.client()
                break
            except Exception:
                if attempt == 2:
                    raise
                time.sleep(1)
        self.start_seconds = time.monotonic() - started

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def client(self) -> ErpClient:
        client = ErpClient(self.port)
        client.login(self.user, self.password)
        return client

    def log(self, since: int = 0) -> str:
        """The server's log from byte ``since`` on (a byte offset, as ``st_size`` gives: the
        log holds non-ASCII product names, so a character offset would skip past new lines)."""
        if not self.log_path.exists():
            return ""
        return self.log_path.read_bytes()[since:].decode(errors="replace")


def _build() -> float:
    started = time.monotonic()
    build = subprocess.run(
        [_python(), str(ERPCTL), "build"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=BUILD_TIMEOUT,
    )
    if build.returncode != 0:
        pytest.fail("erpctl build failed:\n" + build.stdout[-8000:], pytrace=False)
    return time.monotonic() - started


@pytest.fixture(scope="session")
def erp_build_seconds() -> float:
    return _build()


@pytest.fixture(scope="session")
def start_erp_server(tmp_path_factory, erp_build_seconds):
    """Start a server of your own from a fresh copy: ``server = start_erp_server()``, or with a
    grace period before confirmed sales are processed: ``start_erp_server(process_sales_after=
    1800)``. Every server started this way is stopped at the end of the session."""
    servers: list[ErpServer] = []

    def start(*, process_sales_after: float | None = 0) -> ErpServer:
        server = ErpServer(_free_port(), tmp_path_factory.mktemp("erp-data"), process_sales_after)
        servers.append(server)
        server.start(fresh=True)
        server.build_seconds = erp_build_seconds
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def erp_server(start_erp_server) -> ErpServer:
    """The session's shared ERP. Tests on it may read, and write only what no other test reads."""
    return start_erp_server()


@pytest.fixture(scope="module")
def fresh_erp_server(start_erp_server):
    """A module's own ERP, from a fresh copy, for tests whose writes others would notice."""
    server = start_erp_server()
    yield server
    server.stop()
