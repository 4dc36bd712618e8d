"""Write tests/module_costs.json from a run's JUnit XML (``pytest --junitxml=FILE``): seconds
per test module, set-up and tear-down included, which tests/conftest.py uses to send the
costliest modules to the pytest-xdist workers first.

    python -m tests.module_costs FILE
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).with_name("module_costs.json")


def module_costs(junit: Path) -> dict[str, float]:
    costs: dict[str, float] = defaultdict(float)
    for case in ET.parse(junit).getroot().iter("testcase"):  # noqa: S314 (our own run's report)
        module = case.get("classname", "").split("[", 1)[0]
        parts = module.split(".")
        # classname is the dotted module, plus the class for a method: keep up to test_*.
        for index, part in enumerate(parts):
            if part.startswith("test_"):
                parts = parts[: index + 1]
                break
        costs["/".join(parts) + ".py"] += float(case.get("time") or 0)
    return {module: round(seconds, 1) for module, seconds in sorted(costs.items())}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    OUT.write_text(json.dumps(module_costs(Path(sys.argv[1])), indent=1) + "\n")
    print(f"{OUT}: {len(json.loads(OUT.read_text()))} modules")
