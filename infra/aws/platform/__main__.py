"""The shared platform stack: ``pulumi up`` here once per environment (see README)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from components.stacks import platform_stack

platform_stack()
