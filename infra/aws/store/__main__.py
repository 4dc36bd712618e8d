"""One store's stack (``store-<slug>``): reads ``brands/<slug>/store.toml`` and stack config."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from components.stacks import store_stack

store_stack()
