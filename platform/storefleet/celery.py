"""The Celery application shared by every Storefleet worker.

Configuration comes from Django settings under the ``CELERY_`` namespace, so the broker is
whatever the environment says: kombu's ``filesystem://`` transport on the embedded default (no
server to install), Redis or RabbitMQ in production and CI.
"""

import os
import time
import uuid
from typing import Any

from celery import Celery
from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefleet.settings.local")


class _AtomicFilesystemChannel(filesystem.Channel):
    # kombu-stubs give filesystem.Channel._put a signature its own base class does not have;
    # no override can match both (the stubs ignore the same error on it).
    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:  # type: ignore[override]
        """Write the message under a name consumers skip, then rename it into place. kombu's
        own ``_put`` creates the file and then writes it; a worker polling the folder in
        between takes an empty message and stops with "Unrecoverable error: JSONDecodeError"."""
        name = f"{round(time.monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")  # not "<queue>.msg"
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class AtomicFilesystemTransport(filesystem.Transport):
    """kombu's filesystem transport, with messages that appear in the folder whole."""

    Channel = _AtomicFilesystemChannel


app = Celery("storefleet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
if app.conf.broker_url.startswith("filesystem://") and not app.conf.broker_transport:
    app.conf.broker_transport = "storefleet.celery:AtomicFilesystemTransport"

# kombu's filesystem transport needs its folders to exist before the first message, and keeps
# its control (pidbox) folder in the working directory unless told where.
_options = app.conf.broker_transport_options
if _options.get("data_folder_in") and "control_folder" not in _options:
    _queue_root = os.path.dirname(_options["data_folder_in"])
    _options["control_folder"] = os.path.join(_queue_root, "control")
for _option in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
    _folder = app.conf.broker_transport_options.get(_option)
    if _folder:
        os.makedirs(_folder, exist_ok=True)


@app.task(name="storefleet.ping", acks_late=True)
def ping() -> str:
    """Answer ``pong``: lets the health check and the tests prove a worker consumes tasks."""
    return "pong"
