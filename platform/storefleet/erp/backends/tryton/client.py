"""JSON-RPC transport to a Tryton server: one pooled HTTP client, one login per process
(thread-safe), the session reused on every call and renewed when the server drops it.

Tryton answers business errors in HTTP 200 with an ``error`` member; those become
``TrytonFault`` (kind + args) for the backend to map. Everything that means "the ERP cannot be
reached" becomes ``ErpUnavailable``; anything unreadable becomes ``ErpProtocolError`` with the
raw payload logged."""

from __future__ import annotations

import base64
import datetime
import itertools
import json
import logging
import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from storefleet.erp.errors import ErpProtocolError, ErpUnavailable

logger = logging.getLogger("storefleet.erp")


@dataclass(frozen=True, slots=True)
class TrytonConfig:
    url: str  # http://host:port/
    database: str
    user: str
    password: str
    connect_timeout: float = 3.0
    read_timeout: float = 15.0
    pool_size: int = 10


class TrytonFault(ErpProtocolError):
    """An error answered by Tryton: ``kind`` is its exception class name (``UserError``,
    ``UserWarning``, ``AccessError``…), ``args`` its arguments as sent.

    The backend maps the faults it knows to reason codes; one it does not know reaches the
    caller as what it is, a typed protocol error carrying the raw payload, never as an
    exception the storefront has not heard of."""

    def __init__(self, kind: str, args: list[Any]) -> None:
        super().__init__(f"Tryton {kind}", raw=[kind, args])
        self.kind = kind
        self.fault_args = args

    def __str__(self) -> str:
        return f"{self.kind}: {self.fault_args!r}"


class _SessionExpired(Exception):
    pass


def _encode(value: object) -> object:
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, datetime.datetime):
        return {
            "__class__": "datetime",
            "year": value.year,
            "month": value.month,
            "day": value.day,
            "hour": value.hour,
            "minute": value.minute,
            "second": value.second,
            "microsecond": value.microsecond,
        }
    if isinstance(value, datetime.date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    raise TypeError(f"cannot send {type(value).__name__} to Tryton")


def _decode(obj: dict[str, Any]) -> object:
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
            obj.get("hour", 0),
            obj.get("minute", 0),
            obj.get("second", 0),
            obj.get("microsecond", 0),
        )
    if kind == "timedelta":
        return datetime.timedelta(seconds=obj["seconds"])
    if kind == "bytes":
        return base64.decodebytes(obj["base64"].encode())
    return obj


class TrytonClient:
    """Thread-safe: the HTTP pool is shared, the login happens once under a lock."""

    def __init__(self, config: TrytonConfig) -> None:
        self.config = config
        self._base = config.url.rstrip("/")
        self._http = httpx.Client(
            timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
            limits=httpx.Limits(
                max_connections=config.pool_size, max_keepalive_connections=config.pool_size
            ),
            headers={"Content-Type": "application/json"},
        )
        self._lock = threading.Lock()
        self._auth: str | None = None
        self._context: dict[str, Any] = {}
        self._ids = itertools.count(1)
        self._requests = itertools.count(1)
        self.requests = 0
        self.logins = 0

    # ------------------------------------------------------------------ public
    def call(self, method: str, *params: Any, **context: Any) -> Any:
        """Call ``method`` with positional ``params`` and the user's context (plus
        ``context``) last, logging in first if this process has not yet."""
        session = self._session()
        ctx = {**self._context, **context}
        try:
            return self._post(f"/{self.config.database}/rpc/", method, [*params, ctx], session)
        except _SessionExpired:
            session = self._session(renew=session)
            ctx = {**self._context, **context}
            try:
                return self._post(f"/{self.config.database}/rpc/", method, [*params, ctx], session)
            except _SessionExpired as exc:
                raise ErpUnavailable("the ERP refused a fresh session") from exc

    def model(self, model: str, method: str, *params: Any, **context: Any) -> Any:
        return self.call(f"model.{model}.{method}", *params, **context)

    def search_read(
        self,
        model: str,
        domain: list[Any],
        fields: list[str],
        *,
        order: list[list[str]] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **context: Any,
    ) -> list[dict[str, Any]]:
        result = self.model(model, "search_read", domain, offset, limit, order, fields, **context)
        if not isinstance(result, list):
            raise ErpProtocolError(f"{model}.search_read answered {type(result).__name__}")
        return result

    def server_version(self) -> str:
        return str(self._post("/rpc/", "common.server.version", [], None))

    @property
    def context(self) -> dict[str, Any]:
        self._session()
        return dict(self._context)

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ session
    def _session(self, renew: str | None = None) -> str:
        auth = self._auth
        if auth is not None and auth != renew:
            return auth
        with self._lock:
            if self._auth is not None and self._auth != renew:
                return self._auth
            self._auth = None
            login = self._post(
                f"/{self.config.database}/rpc/",
                "common.db.login",
                [self.config.user, {"password": self.config.password}, "en"],
                None,
            )
            if not isinstance(login, list) or len(login) < 2:
                raise ErpProtocolError("unexpected login answer", raw=login)
            user_id, token = login[0], login[1]
            session = base64.b64encode(f"{self.config.user}:{user_id}:{token}".encode()).decode()
            auth = f"Session {session}"
            context = self._post(
                f"/{self.config.database}/rpc/",
                "model.res.user.get_preferences",
                [True, {}],
                auth,
            )
            if not isinstance(context, dict):
                raise ErpProtocolError("unexpected preferences answer", raw=context)
            self._context = context
            self._auth = auth
            self.logins += 1
            return auth

    # ------------------------------------------------------------------ wire
    def _post(self, path: str, method: str, params: list[Any], auth: str | None) -> Any:
        body = json.dumps(
            {"id": next(self._ids), "method": method, "params": params}, default=_encode
        )
        headers = {"Authorization": auth} if auth else {}
        self.requests = next(self._requests)
        try:
            response = self._http.post(self._base + path, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            logger.warning("erp timeout method=%s error=%r", method, exc)
            raise ErpUnavailable(f"timeout calling {method}") from exc
        except httpx.TransportError as exc:
            logger.warning("erp unreachable method=%s error=%r", method, exc)
            raise ErpUnavailable(f"cannot reach the ERP: {exc}") from exc
        if response.status_code in (401, 403) and auth is not None:
            raise _SessionExpired()
        if response.status_code == 429 or response.status_code >= 500:
            logger.warning(
                "erp http error method=%s status=%s body=%.500s",
                method,
                response.status_code,
                response.text,
            )
            raise ErpUnavailable(f"HTTP {response.status_code} calling {method}")
        try:
            answer = json.loads(response.text, object_hook=_decode)
        except ValueError as exc:
            logger.error("erp malformed response method=%s body=%.2000s", method, response.text)
            raise ErpProtocolError(f"malformed JSON from {method}", raw=response.text) from exc
        if response.status_code != 200 or not isinstance(answer, dict):
            logger.error(
                "erp unexpected response method=%s status=%s body=%.2000s",
                method,
                response.status_code,
                response.text,
            )
            raise ErpProtocolError(f"HTTP {response.status_code} from {method}", raw=response.text)
        error = answer.get("error")
        if error:
            if isinstance(error, list) and len(error) == 2 and isinstance(error[0], str):
                args = error[1] if isinstance(error[1], list) else [error[1]]
                logger.info("erp fault method=%s kind=%s args=%.2000r", method, error[0], args)
                raise TrytonFault(error[0], args)
            logger.error("erp unknown error shape method=%s error=%r", method, error)
            raise ErpProtocolError(f"unknown error from {method}", raw=error)
        if "result" not in answer:
            logger.error("erp answer without result method=%s body=%.2000s", method, answer)
            raise ErpProtocolError(f"no result from {method}", raw=answer)
        return answer["result"]
