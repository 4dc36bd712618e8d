"""Run the reference ERP's server and its queue worker (inside the ERP's virtualenv).

    python tryton_run.py server -c trytond.conf -d storefleet --logconf logging.conf
    python tryton_run.py worker -c trytond.conf -d storefleet [--interval 1]

Why not plain ``trytond`` + ``trytond-worker``: Tryton keeps a confirmed sale cancellable
for the sale configuration's "Process Sale after" by scheduling its processing on the queue
(``ir.queue.scheduled_at``), and honours that only with ``[queue] worker = True``. But that
switch sends *every* queued task (posting an invoice, processing a complaint, a sale after its
shipment is done) to the worker, where the platform and its tests expect them done when the
call answers; and ``trytond-worker`` waits on PostgreSQL's LISTEN, which SQLite (the embedded
default) does not have. So the server here runs as without a worker, except that a task
scheduled for later is left in the queue; the worker polls the queue for tasks whose time has
come and runs them with Tryton's own ``run_task``.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import signal
import sys
import time

logger = logging.getLogger("storefleet.erp.worker")


def _leave_scheduled_tasks_to_the_worker() -> None:
    from trytond.ir.queue_ import Queue
    from trytond.transaction import Transaction

    push = Queue.push.__func__  # type: ignore[attr-defined]

    def push_later(cls, name, data, scheduled_at=None, expected_at=None):
        task_id = push(cls, name, data, scheduled_at=scheduled_at, expected_at=expected_at)
        if scheduled_at is not None and scheduled_at > datetime.datetime.now():
            tasks = Transaction().tasks
            if task_id in tasks:
                tasks.remove(task_id)
        return task_id

    Queue.push = classmethod(push_later)  # type: ignore[method-assign]


def server(argv: list[str]) -> int:
    _leave_scheduled_tasks_to_the_worker()
    from trytond.cli import main

    sys.argv = ["trytond", *argv]
    return main() or 0


def worker(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tryton_run.py worker")
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--logconf")
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args(argv)

    from trytond import config

    config.update_etc(args.config)
    if args.logconf:
        import logging.config

        logging.config.fileConfig(args.logconf, disable_existing_loggers=False)
    else:
        logging.basicConfig(level=logging.INFO)
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    from trytond.worker import run_task

    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    Pool.start()
    pool = Pool(args.database)
    with Transaction().start(args.database, 0, readonly=True):
        pool.init()
    print("ERP worker ready", flush=True)
    while not stopping:
        try:
            with Transaction().start(args.database, 0, readonly=True):
                Queue = pool.get("ir.queue")
                # Only tasks scheduled for a time: an unscheduled one is run by the server
                # at the end of the request that queued it.
                due = [
                    task.id
                    for task in Queue.search(
                        [
                            ("dequeued_at", "=", None),
                            ("finished_at", "=", None),
                            ("scheduled_at", "!=", None),
                            ("scheduled_at", "<=", datetime.datetime.now()),
                        ],
                        order=[("scheduled_at", "ASC"), ("id", "ASC")],
                    )
                ]
        except Exception:
            logger.exception("could not read the queue")
            due = []
        for task_id in due:
            if stopping:
                break
            # Taken off the queue first, as trytond-worker's pull does: a task that fails
            # with a user error is reported (ir.error) and not run again every second.
            with Transaction().start(args.database, 0) as transaction:
                Queue = pool.get("ir.queue")
                tasks = Queue.search([("id", "=", task_id), ("dequeued_at", "=", None)])
                if not tasks:
                    continue
                Queue.write(tasks, {"dequeued_at": datetime.datetime.now()})
                transaction.commit()
            run_task(pool, task_id)
        deadline = time.monotonic() + args.interval
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.05)
    return 0


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("server", "worker"):
        print(__doc__, file=sys.stderr)
        return 2
    command, argv = sys.argv[1], sys.argv[2:]
    return server(argv) if command == "server" else worker(argv)


if __name__ == "__main__":
    sys.exit(main())
