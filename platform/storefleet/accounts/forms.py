"""Storefront forms of company accounts: they parse input; the services decide."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from .models import MemberRole
from .selectors import user_may_buy_in_store, username_for_sign_in


class StoreAuthenticationForm(AuthenticationForm):
    """Sign-in on a store host: only users whose company may buy in this store get a session."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("E-mail or username")
        self.fields["username"].help_text = _("The e-mail address your account was made for.")
        self.fields["username"].widget.attrs["autocomplete"] = "username"

    def clean_username(self) -> str:
        """What ``authenticate`` is given (and the throttle counts): the account's username
        for an e-mail address of exactly one account, in any case; else what was typed."""
        return username_for_sign_in(self.cleaned_data["username"])

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        store = getattr(self.request, "store", None)
        if store is None or not user_may_buy_in_store(user=user, store_id=store.id):
            raise forms.ValidationError(
                _(
                    "Your account can't sign in to this store: your company doesn't buy here. "
                    "Sign in on your company's store, or ask us to open this one for you."
                ),
                code="wrong_store",
            )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(choices=MemberRole.choices, initial=MemberRole.BUYER)


class InvitationAcceptForm(forms.Form):
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ. Type the same one twice."))
        return data


class IdForm(forms.Form):
    """The hidden id a remove or withdraw button posts."""

    id = forms.IntegerField(widget=forms.HiddenInput)


class StorePasswordResetForm(PasswordResetForm):
    """Django's reset request, for the users of this store only: an address of someone whose
    company doesn't buy here gets no e-mail, and the page says the same as for a real one."""

    def __init__(self, *args: Any, store_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store_id = store_id
        self.fields["email"].label = _("Your e-mail address")

    def get_users(self, email: str) -> Iterator[User]:
        for user in super().get_users(email):
            if user_may_buy_in_store(user=user, store_id=self.store_id):
                yield user


class AccountRequestForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(label=_("Your e-mail address"))
    company_reference = forms.CharField(
        label=_("Your company's customer number or name"),
        max_length=255,
        help_text=_("As on our invoices, for example C-1001; the company name works too."),
    )
    message = forms.CharField(
        label=_("Message (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )


class DeclineForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why (the person is told)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class RouteForm(forms.Form):
    """An agent's approval: the request, and the company when the request named none known."""

    id = forms.IntegerField(widget=forms.HiddenInput)
    company = forms.IntegerField(required=False)
