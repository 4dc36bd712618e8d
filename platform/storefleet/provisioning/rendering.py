"""The site templates as the wizard sees them: their questions (read from ``cookiecutter.json``)
and rendering a regional manager's answers into a brand folder.

Rendering runs cookiecutter in a child process, exactly as ``cookiecutter site_templates/<name>``
does: the template's own pre-generation hook checks the answers, and its messages (one line per
problem, ``invalid answer: <field>: <what to do>``) are the ones the wizard shows next to each
field. Nothing is written when the hook refuses."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from storefleet.errors import ApplicationError

from .storefile import templates_dir

INVALID_ANSWER = "invalid answer: "
RENDER_TIMEOUT_SECONDS = 60
_FIELD = re.compile(r"^([a-z_]+): ")


@dataclass(frozen=True)
class Question:
    name: str
    prompt: str
    default: str
    choices: tuple[str, ...]

    @property
    def derived(self) -> bool:
        """The default is computed from other answers (e.g. the slug from the brand name)."""
        return "{{" in self.default


@dataclass(frozen=True)
class SiteTemplate:
    name: str
    questions: tuple[Question, ...]

    def question(self, name: str) -> Question | None:
        return next((q for q in self.questions if q.name == name), None)


@dataclass(frozen=True)
class AnswerProblem:
    """One answer the template's hook refused; ``field`` is ``""`` when no answer is named."""

    field: str
    message: str


class AnswersInvalid(ApplicationError):
    """The template's hook refused the answers; ``problems`` lists each, by field."""

    def __init__(self, problems: tuple[AnswerProblem, ...]) -> None:
        super().__init__(
            " ".join(p.message for p in problems), field="answers", code="invalid_answers"
        )
        self.problems = problems


def template_list() -> tuple[SiteTemplate, ...]:
    """Every template in ``site_templates/``, by name."""
    root = templates_dir()
    names = sorted(p.parent.name for p in root.glob("*/cookiecutter.json"))
    return tuple(template_get(name=name) for name in names)


def template_get(*, name: str) -> SiteTemplate:
    """The template ``name`` and its questions, in the order cookiecutter asks them."""
    path = templates_dir() / name / "cookiecutter.json"
    if "/" in name or name.startswith(".") or not path.is_file():
        raise ApplicationError(
            f"There is no site template '{name}'; pick one of the listed templates.",
            field="template",
            code="missing_template",
        )
    data = json.loads(path.read_text())
    prompts = data.get("__prompts__", {})
    questions = []
    for key, value in data.items():
        if key.startswith("_"):
            continue
        choices = tuple(str(v) for v in value) if isinstance(value, list) else ()
        default = choices[0] if choices else str(value)
        questions.append(Question(key, prompts.get(key, key), default, choices))
    return SiteTemplate(name=name, questions=tuple(questions))


def _problems(stderr: str) -> tuple[AnswerProblem, ...]:
    found = []
    for line in stderr.splitlines():
        if INVALID_ANSWER in line:
            message = line.split(INVALID_ANSWER, 1)[1].strip()
            match = _FIELD.match(message)
            found.append(AnswerProblem(match.group(1) if match else "", message))
    return tuple(found)


def brand_render(*, template: str, answers: Mapping[str, str], output_dir: Path) -> Path:
    """Render ``template`` with ``answers`` into ``output_dir/<slug>/`` and return that folder.

    Answers left out take the template's defaults. Raises ``AnswersInvalid`` with the hook's
    messages when it refuses an answer, ``ApplicationError`` when the template fails otherwise
    (an unknown choice, a folder already there); in both cases nothing is left in
    ``output_dir``."""
    site_template = template_get(name=template)
    unknown = sorted(set(answers) - {q.name for q in site_template.questions})
    if unknown:
        raise ApplicationError(
            f"The template '{template}' does not ask for {', '.join(unknown)}.", field="answers"
        )
    output_dir.mkdir(parents=True, exist_ok=True)
    before = {p.name for p in output_dir.iterdir()}
    command = [
        sys.executable,
        "-m",
        "cookiecutter",
        "--no-input",
        "--output-dir",
        str(output_dir),
        str(templates_dir() / template),
        *(f"{key}={value}" for key, value in answers.items()),
    ]
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and template, answers as argv
            command,
            capture_output=True,
            text=True,
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
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise ApplicationError(
            f"The template '{template}' could not be rendered with these answers: {last}",
            code="render_failed",
        )
    if len(made) != 1:
        raise ApplicationError(
            f"The template '{template}' did not render one brand folder ({made}).",
            code="render_failed",
        )
    return output_dir / made[0]
