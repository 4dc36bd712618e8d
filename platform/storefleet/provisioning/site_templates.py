"""The site templates as the wizard sees them: their questions, read from ``cookiecutter.json``,
and the errors a refused answer raises."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from storefleet.errors import ApplicationError

TEMPLATE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,59}")


def templates_dir() -> Path:
    """Where the site templates are (``STOREFLEET_SITE_TEMPLATES_DIR``)."""
    return Path(settings.STOREFLEET_SITE_TEMPLATES_DIR)


@dataclass(frozen=True)
class Question:
    name: str
    prompt: str
    default: str
    choices: tuple[str, ...]

    @property
    def derived(self) -> bool:
        """The default is computed from other answers (e.g. the slug from the brand name)."""
        return "{{" in self.default or "{%" in self.default


@dataclass(frozen=True)
class SiteTemplate:
    name: str
    questions: tuple[Question, ...]
    # The template author's private variables (``_template_version``, ``_country_defaults``...):
    # derived defaults may read them, as cookiecutter lets them.
    private: Mapping[str, Any] = field(default_factory=dict)
    version: str = ""

    def question(self, name: str) -> Question | None:
        return next((q for q in self.questions if q.name == name), None)


@dataclass(frozen=True)
class AnswerProblem:
    """One refused answer; ``field`` is ``""`` when no answer is named."""

    field: str
    message: str


class AnswersInvalid(ApplicationError):
    """Answers were refused; ``problems`` lists each, by field."""

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
    if not TEMPLATE_NAME.fullmatch(name) or not path.is_file():
        raise ApplicationError(
            f"There is no site template '{name[:60]}'; pick one of the listed templates.",
            field="template",
            code="missing_template",
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    prompts = data.get("__prompts__", {})
    questions = []
    private = {}
    for key, value in data.items():
        if key.startswith("_"):
            if not key.startswith("__"):
                private[key] = value
            continue
        choices = tuple(str(v) for v in value) if isinstance(value, list) else ()
        default = choices[0] if choices else str(value)
        questions.append(Question(key, prompts.get(key, key), default, choices))
    return SiteTemplate(
        name=name,
        questions=tuple(questions),
        private=private,
        version=str(private.get("_template_version", ""))[:40],
    )
