"""The wizard's form: one field per question of the chosen site template.

The form checks nothing itself: every answer is checked by the one rule per question in
``answers.py`` and then by the template's own pre-generation hook (both through the services),
so every path that takes answers says the same thing about the same answer.
``answers_refused`` puts their messages on their fields."""

from __future__ import annotations

from typing import Any

from django import forms

from .rendering import AnswerProblem, SiteTemplate


class LaunchForm(forms.Form):
    check_erp = forms.BooleanField(
        label="Check the ERP mapping against the live ERP",
        required=False,
        initial=True,
        help_text="Untick only when the ERP is not reachable from here (like --skip-erp-check).",
    )

    def __init__(self, *args: Any, template: SiteTemplate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.template = template
        questions: dict[str, forms.Field] = {}
        for question in template.questions:
            field: forms.Field
            if question.choices:
                field = forms.ChoiceField(
                    choices=[(c, c.capitalize()) for c in question.choices],
                    initial=question.default,
                )
            elif question.derived:
                field = forms.CharField(help_text="Leave empty to derive it from the brand name.")
            else:
                field = forms.CharField(initial=question.default)
            field.label, field.required = question.prompt, False
            questions[question.name] = field
        # The questions first, in the template's order; the ERP switch last.
        self.fields = {**questions, "check_erp": self.fields["check_erp"]}

    def answers(self) -> dict[str, str]:
        """The answers to pass to the template: derived ones left empty are left out so the
        template derives them; every other answer is passed as given for the hook to judge."""
        answers = {}
        for question in self.template.questions:
            value = str(self.cleaned_data.get(question.name) or "").strip()
            if value or not question.derived:
                answers[question.name] = value
        return answers

    def answers_refused(self, problems: tuple[AnswerProblem, ...]) -> None:
        for problem in problems:
            self.add_error(problem.field if problem.field in self.fields else None, problem.message)
