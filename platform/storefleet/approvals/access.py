"""Who may do what in approvals: a company admin keeps the rules, an approver (or admin)
decides; anyone else gets 404, as for a page that does not exist."""

from __future__ import annotations

from django.http import Http404

from storefleet.accounts.principal import Principal

from .chain import APPROVER_ROLES


def require_admin(principal: Principal) -> None:
    """Only a company admin (a member, not a key) sets rules; anyone else gets 404."""
    if principal.membership is None or not principal.is_admin:
        raise Http404("Not a company admin.")


def require_approver(principal: Principal) -> None:
    """Only an approver or an admin of the company decides; anyone else gets 404."""
    if principal.membership is None or principal.role not in APPROVER_ROLES:
        raise Http404("Not an approver.")


def is_approver(principal: Principal) -> bool:
    return principal.membership is not None and principal.role in APPROVER_ROLES
