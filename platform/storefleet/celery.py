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

# kombu's filesystem transport needs its folders to exist before the first message.
for _option in ("data_folder_in", "data_folder_out", "processed_folder"):
    _folder = app.conf.broker_transport_options.get(_option)
    if _folder:
        os.makedirs(_folder, exist_ok=True)


@app.task(name="storefleet.ping", acks_late=True)
def ping() -> str:
    """Answer ``pong``: lets the health check and the tests prove a worker consumes tasks."""
    return "pong"
