"""Storefront forms of company accounts: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User

from .models import MemberRole
from .selectors import user_may_buy_in_store


class StoreAuthenticationForm(AuthenticationForm):
    """Sign-in on a store host: only users whose company may buy in this store get a session."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "E-mail"

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        store = getattr(self.request, "store", None)
        if store is None or not user_may_buy_in_store(user=user, store_id=store.id):
            raise forms.ValidationError(
                "Your account can't sign in to this store: your company doesn't buy here. "
                "Sign in on your company's store, or ask us to open this one for you.",
                code="wrong_store",
            )


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    role = forms.ChoiceField(choices=MemberRole.choices, initial=MemberRole.BUYER)


class InvitationAcceptForm(forms.Form):
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ. Type the same one twice.")
        return data


class IdForm(forms.Form):
    """The hidden id a remove or withdraw button posts."""

    id = forms.IntegerField(widget=forms.HiddenInput)
