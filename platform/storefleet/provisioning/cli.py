"""``storefleet launch | plan | reconcile | suspend | destroy``: the provisioning pipeline from
the command line. It parses arguments, calls the same services as the admin's wizard, and
prints the plan and each step's progress."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def _setup() -> None:
    platform_dir = Path(__file__).resolve().parents[2]
    if str(platform_dir) not in sys.path:
        sys.path.insert(0, str(platform_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefleet.settings.local")
    import django

    django.setup()


def _print_plan(plan) -> None:
    print(f"Plan: {plan.action} {plan.slug} ({plan.hostname or 'no host'})")
    for change in plan.changes:
        print(f"  {change.kind:<9} {change.target}: {change.detail}")
    for problem in plan.problems:
        print(f"  PROBLEM   {problem}")
    for warning in plan.warnings:
        print(f"  WARNING   {warning}")


def _follow(run, *, poll: float = 0.2, timeout: float = 600) -> int:
    """Print each step as it finishes; 0 when the run succeeds."""
    from .selectors import run_progress

    shown: set[str] = set()
    deadline = time.monotonic() + timeout
    total = run.steps.count()
    while True:
        progress = run_progress(run_id=run.pk)
        for index, step in enumerate(progress.steps, start=1):
            if step.name in shown or step.status in ("pending", "running"):
                continue
            shown.add(step.name)
            bar = "#" * index + "." * (total - index)
            took = f"{step.seconds:.2f}s" if step.seconds is not None else ""
            print(f"  [{bar}] {step.label:<40} {step.status:<10} {took}")
            for line in (step.error or step.log).splitlines():
                print(f"      {line}")
        if progress.finished:
            print(
                f"Run {progress.id}: {progress.status}"
                + (f" ({progress.error})" if progress.error else "")
            )
            return 0 if progress.status == "succeeded" else 1
        if time.monotonic() > deadline:
            print(f"Run {progress.id} still {progress.status}: is a worker running?")
            return 2
        time.sleep(poll)


def _folders(arguments) -> list[Path]:
    """The brand folders a command is about. A target is a slug or a folder of the brands
    directory: the pipeline launches declared stores, not any folder a path points at."""
    from storefleet.errors import ApplicationError

    from .storefile import brands_dir

    root = brands_dir()
    if arguments.command == "reconcile":
        return sorted(p for p in root.iterdir() if (p / "store.toml").is_file())
    target = arguments.target
    refused = ApplicationError(
        f"'{target[:80]}' is not a store's folder in {root}; give a store's slug (e.g. ferrum) "
        f"or its folder ({root}/<slug>).",
        field="target",
    )
    if not target.strip() or "\x00" in target or len(target) > 1024:
        raise refused
    path = Path(target)
    try:
        folder = path if path.is_dir() else root / target
        inside = folder.resolve().parent == root.resolve()
    except (OSError, ValueError):  # a name too long for the file system, a loop of links
        raise refused from None
    if not inside:
        raise refused
    # Resolved here, where the command runs: the run records it absolute (its steps may run
    # in a worker with another working folder).
    return [folder.resolve()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="storefleet", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("plan", "show what launching brands/<slug>/ would change"),
        ("launch", "plan, then launch or re-apply brands/<slug>/"),
        ("suspend", "take a store offline (503), keeping its content"),
        ("destroy", "remove a store and everything only it owned"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("target", help="a brand folder or a store slug")
    commands.add_parser("reconcile", help="launch or re-apply every folder in brands/")
    for command in commands.choices.values():
        command.add_argument("--skip-erp-check", action="store_true", help="do not ask the ERP")
        command.add_argument(
            "--inline", action="store_true", help="run the steps in this process (no worker)"
        )
        command.add_argument("--resume", action="store_true", help="resume the failed run")
    arguments = parser.parse_args(argv)
    _setup()

    from storefleet.errors import ApplicationError

    from . import plan as plans
    from . import services
    from .selectors import run_latest_failed

    check_erp = not arguments.skip_erp_check
    status = 0
    try:
        if arguments.command in ("suspend", "destroy"):
            slug = Path(arguments.target).name
            planned = (
                plans.plan_suspend if arguments.command == "suspend" else plans.plan_destroy
            )(slug=slug)
            _print_plan(planned)
            run = services.run_create(plan=planned, check_erp=False)
            return _follow(services.run_start(run=run, inline=arguments.inline))
        for folder in _folders(arguments):
            failed = run_latest_failed(slug=folder.name) if arguments.resume else None
            if failed is not None:
                print(f"Resuming run {failed.pk} of {folder.name}")
                status |= _follow(services.run_resume(run=failed, inline=arguments.inline))
                continue
            planned = plans.plan_launch(path=folder, check_erp=check_erp)
            _print_plan(planned)
            if arguments.command == "plan":
                status |= 0 if planned.ok else 1
                continue
            if not planned.ok:
                status |= 1
                continue
            run = services.run_create(plan=planned, check_erp=check_erp)
            status |= _follow(services.run_start(run=run, inline=arguments.inline))
    except ApplicationError as error:
        print(f"Error: {error.message}", file=sys.stderr)
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
