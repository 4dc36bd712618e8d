"""An ERP that misbehaves: malformed answers, unknown error kinds, HTTP errors and timeouts
become typed gateway errors with the raw payload logged — never an exception the storefront
has not heard of. The real Tryton can't be made to misbehave on cue, so a JSON-RPC server on
loopback plays a broken ERP, at the boundary only."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from storefleet.erp.errors import ErpError, ErpProtocolError, ErpUnavailable
from storefleet.erp.gateway import get_gateway

BEHAVIOUR: dict[str, object] = {}


class BrokenErp(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        method = request["method"]
        if method == "common.db.login":
            return self._send(200, {"id": request["id"], "result": [1, "token", {}]})
        if method == "model.res.user.get_preferences":
            return self._send(
                200, {"id": request["id"], "result": {"language": "en", "company": 1}}
            )
        mode = BEHAVIOUR["mode"]
        if mode == "malformed":
            return self._send(200, b"<html>proxy error page</html>")
        if mode == "unknown_error":
            return self._send(
                200,
                {"id": request["id"], "error": ["ConcurrencyException", ["Record was modified"]]},
            )
        if mode == "odd_error_shape":
            return self._send(200, {"id": request["id"], "error": {"weird": True}})
        if mode == "no_result":
            return self._send(200, {"id": request["id"]})
        if mode == "http_500":
            return self._send(500, b"Internal Server Error")
        if mode == "slow":
            time.sleep(2)
            return self._send(200, {"id": request["id"], "result": []})
        raise AssertionError(mode)

    def _send(self, status: int, body: object) -> None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError):  # the client gave up (the timeout case)
            self.wfile.write(payload)


@pytest.fixture
def broken_erp(settings) -> Iterator[None]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BrokenErp)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ERP_BACKEND = "storefleet.erp.backends.tryton.from_settings"
    settings.ERP_URL = f"http://127.0.0.1:{server.server_port}/"
    settings.ERP_DATABASE = "storefleet"
    settings.ERP_READ_TIMEOUT_SECONDS = 0.5
    settings.ERP_RETRY_ATTEMPTS = 1
    settings.ERP_BREAKER_FAILURE_THRESHOLD = 100
    yield
    server.shutdown()


@pytest.mark.parametrize(
    ("mode", "error_type", "logged"),
    [
        ("malformed", ErpProtocolError, "proxy error page"),
        ("unknown_error", ErpProtocolError, "ConcurrencyException"),
        ("odd_error_shape", ErpProtocolError, "weird"),
        ("no_result", ErpProtocolError, "without result"),
        ("http_500", ErpUnavailable, "Internal Server Error"),
        ("slow", ErpUnavailable, "timeout"),
    ],
)
def test_misbehaving_erp_gives_a_typed_error_and_logs_the_raw_payload(
    broken_erp, caplog, mode, error_type, logged
):
    BEHAVIOUR["mode"] = mode
    with caplog.at_level("INFO", logger="storefleet.erp"), pytest.raises(ErpError) as raised:
        get_gateway().credit_status(customer="C-1001")
    assert type(raised.value) is error_type or isinstance(raised.value, error_type)
    assert raised.value.message  # a sentence a person can read, for the page
    assert logged in caplog.text


def test_a_storefront_page_survives_a_broken_erp(broken_erp, client, ferrum):
    BEHAVIOUR["mode"] = "malformed"
    response = client.get("/", HTTP_HOST="ferrum.localhost")
    assert response.status_code == 200
