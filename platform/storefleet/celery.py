"""The Celery application shared by every Storefleet worker.

Configuration comes from Django settings under the ``CELERY_`` namespace, so the broker is
whatever the environment says: kombu's ``filesystem://`` transport on the embedded default (no
server to install), Redis or RabbitMQ in production and CI.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefleet.settings.local")

app = Celery("storefleet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

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
