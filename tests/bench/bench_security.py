"""Hostile input and tenant walls: `make bench-security` (issue 12).

Runs the hostile-input suite (``tests/hostile``) at its large setting (``HOSTILE_EXAMPLES``
examples per property, 250 unless set) together with its walls matrices, on the test settings
(SQLite and an in-memory broker, or PostgreSQL/Redis when DATABASE_URL / CACHE_URL /
CELERY_BROKER_URL say so), and adds up what every test reported through
``tests/hostile/harness.py``: inputs tried, server errors, refusals that left something
half-written, wall cases and breaches, and the wrong passwords a sign-in takes before it locks.
Figures are printed as ratios against the inputs and cases tried in the same run; the last
line is one JSON object. Exits non-zero when any test failed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = os.environ.get("HOSTILE_EXAMPLES", "250")
MAXIMA = {"login_attempts_before_lockout"}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-security-") as folder:
        report = Path(folder) / "report.jsonl"
        env = {
            **os.environ,
            "HOSTILE_EXAMPLES": EXAMPLES,
            "HOSTILE_REPORT": str(report),
            "DJANGO_SETTINGS_MODULE": "storefleet.settings.test",
        }
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "tests/hostile", "-q", "-p", "no:cacheprovider"],
            cwd=REPO,
            env=env,
            check=False,
        )
        seconds = time.monotonic() - started
        totals: Counter[str] = Counter()
        for line in report.read_text().splitlines() if report.exists() else ():
            for key, value in json.loads(line).items():
                totals[key] = max(totals[key], value) if key in MAXIMA else totals[key] + value
    tried = totals["inputs_tried"]
    cases = totals["wall_cases"]
    print(f"hostile examples per property: {EXAMPLES}; suite took {seconds:.0f} s")

    def share(part: int, whole: int) -> str:
        return f"{part} ({part / max(whole, 1):.4f} of {whole})"

    print(f"inputs tried:        {tried}")
    print(f"server errors:       {share(totals['server_errors'], tried)}")
    print(f"half-written:        {share(totals['half_written'], tried)}")
    print(f"unclear refusals:    {share(totals['unclear_refusals'], tried)}")
    print(f"wall breaches:       {share(totals['wall_breaches'], cases)}")
    print(f"wrong passwords before lockout: {totals['login_attempts_before_lockout']}")
    print(f"pytest exit code:    {done.returncode}")
    print(
        json.dumps(
            {
                "bench": "security",
                "inputs_tried": tried,
                "server_errors": totals["server_errors"],
                "half_written": totals["half_written"],
                "unclear_refusals": totals["unclear_refusals"],
                "wall_cases": cases,
                "wall_breaches": totals["wall_breaches"],
                "login_attempts_before_lockout": totals["login_attempts_before_lockout"],
                "examples_per_property": int(EXAMPLES),
                "seconds": round(seconds, 1),
                "tests_passed": done.returncode == 0,
            }
        )
    )
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
