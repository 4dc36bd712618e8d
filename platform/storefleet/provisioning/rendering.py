"""Rendering a regional manager's answers into a brand folder, from a site template.

The answers are checked and completed first (``answers.answers_check``: a strict rule per
question, derived defaults computed here); then a child process (``render_child.py``) renders the
template with them through cookiecutter's ``generate_files`` — the same files, filters and
pre-generation hook as ``cookiecutter site_templates/<name>``, but without cookiecutter's step
that renders each answer as a Jinja template (see ``answers`` for why). A child process, because
cookiecutter changes the working directory while it writes. The hook's messages (one line per
problem, ``invalid answer: <field>: <what to do>``) are the ones the wizard shows next to each
field. Nothing is left in the output folder when an answer is refused."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from storefleet.errors import ApplicationError

from .answers import answers_check
from .site_templates import (
    AnswerProblem,
    AnswersInvalid,
    Question,
    SiteTemplate,
    template_get,
    template_list,
    templates_dir,
)

__all__ = [
    "AnswerProblem",
    "AnswersInvalid",
    "Question",
    "SiteTemplate",
    "brand_render",
    "template_get",
    "template_list",
]

INVALID_ANSWER = "invalid answer: "
RENDER_FAILED = "render failed: "
RENDER_TIMEOUT_SECONDS = 60
CHILD = Path(__file__).with_name("render_child.py")
_FIELD = re.compile(r"([a-z_]+): ")


def _problems(stderr: str) -> tuple[AnswerProblem, ...]:
    found = []
    for line in stderr.splitlines():
        if INVALID_ANSWER in line:
            message = line.split(INVALID_ANSWER, 1)[1].strip()
            match = _FIELD.match(message)
            found.append(AnswerProblem(match.group(1) if match else "", message))
    return tuple(found)


def _failure(stderr: str) -> str:
    said = [
        line.split(RENDER_FAILED, 1)[1] for line in stderr.splitlines() if RENDER_FAILED in line
    ]
    return said[-1] if said else "the renderer stopped without saying why"


def brand_render(*, template: str, answers: Mapping[str, str], output_dir: Path) -> Path:
    """Render ``template`` with ``answers`` into ``output_dir/<slug>/`` and return that folder.

    Answers left out take the template's defaults. Raises ``AnswersInvalid`` naming each refused
    answer (by the platform's rules or the template's hook), ``ApplicationError`` when the
    template fails otherwise; in both cases nothing is left in ``output_dir``."""
    site_template = template_get(name=template)
    complete = answers_check(template=site_template, answers=answers)
    output_dir.mkdir(parents=True, exist_ok=True)
    before = {p.name for p in output_dir.iterdir()}
    request = {
        "template": str(templates_dir() / template),
        "output_dir": str(output_dir),
        "answers": complete,
    }
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and script; answers on stdin
            # -I: the script's folder is not put on sys.path (its selectors.py would shadow the
            # standard library's), nor PYTHON* variables read.
            [sys.executable, "-I", str(CHILD)],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=RENDER_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ApplicationError(
            f"Rendering the template '{template}' took longer than {RENDER_TIMEOUT_SECONDS} s; "
            "try again, and tell platform IT if it keeps happening.",
            code="render_failed",
        ) from None
    made = sorted({p.name for p in output_dir.iterdir()} - before)
    if done.returncode != 0:
        problems = _problems(done.stderr)
        if problems:
            raise AnswersInvalid(problems)
        raise ApplicationError(
            f"The template '{template}' could not be rendered with these answers: "
            f"{_failure(done.stderr)}. Tell platform IT if the answers look right.",
            code="render_failed",
        )
    if len(made) != 1:
        raise ApplicationError(
            f"The template '{template}' did not render one brand folder ({made}).",
            code="render_failed",
        )
    return output_dir / made[0]
