"""Render one site template from answers that are data; run by ``rendering.brand_render`` as
``python render_child.py`` with a JSON request on stdin::

    {"template": "<dir>", "output_dir": "<dir>", "answers": {"brand_name": "...", ...}}

It does what ``cookiecutter --no-input`` does after asking its questions — the template's
private variables (``_extensions``, ``_store_template``) as declared, the bookkeeping ones
(``_template``, ``_output_dir``, ...), then ``generate_files`` with its hooks — but it skips
``prompt_for_config``, the step that renders every value of the context as a Jinja template.
The answers (complete and checked by ``storefleet.provisioning.answers``) go into the context
unchanged, so the template's files output them as text and never evaluate them.

No Django here: only the standard library and cookiecutter. Exit 1 when the template's hook
refused the answers (its ``invalid answer:`` lines are on stderr), 2 on any other failure, with
one ``render failed:`` line saying what."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def render(request: dict[str, Any]) -> str:
    from cookiecutter.generate import generate_context, generate_files

    repo_dir = str(Path(request["template"]).resolve())
    output_dir = os.path.abspath(request["output_dir"])
    answers = request["answers"]
    context = generate_context(context_file=os.path.join(repo_dir, "cookiecutter.json"))
    declared = context["cookiecutter"]
    values: dict[str, Any] = {}
    for key, value in declared.items():
        if key.startswith("_"):
            values[key] = value  # the template author's, not a manager's
        elif not isinstance(answers.get(key), str):
            raise ValueError(f"no answer for '{key}'")
        else:
            values[key] = answers[key]
    values.update(_template=repo_dir, _output_dir=output_dir, _repo_dir=repo_dir, _checkout=None)
    context["cookiecutter"] = values
    context["_cookiecutter"] = {k: v for k, v in values.items() if not k.startswith("_")}
    # As cookiecutter does: the template's local_extensions.py is importable while rendering.
    sys.path.append(repo_dir)
    return generate_files(repo_dir=repo_dir, context=context, output_dir=output_dir)


def main() -> int:
    try:
        from cookiecutter.exceptions import FailedHookException
    except ImportError as error:
        print(f"render failed: cookiecutter cannot be imported ({error})", file=sys.stderr)
        return 2
    try:
        request = json.loads(sys.stdin.read())
        print(render(request))
    except FailedHookException:
        return 1
    except Exception as error:  # reported to the parent in one line, never as a traceback
        message = " ".join(f"{type(error).__name__}: {error}".split())
        print(f"render failed: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
