"""Company accounts on a store's host, under /account/."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.StoreLoginView.as_view(), name="login"),
    path("sign-out/", views.StoreLogoutView.as_view(), name="logout"),
    path("password/", views.StorePasswordResetView.as_view(), name="password_reset"),
    path("password/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "password/<uidb64>/<token>/",
        views.StorePasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("request/", views.account_request, name="account_request"),
    path("request/sent/", views.account_request_done, name="account_request_done"),
    path("requests/", views.account_requests, name="requests"),
    path(
        "requests/<str:decision>/",
        views.account_request_decide,
        name="request_decide",
    ),
    path("companies/<int:company_id>/", views.company_detail, name="company"),
    path(
        "companies/<int:company_id>/addresses/<int:address_id>/",
        views.address_detail,
        name="address",
    ),
    path(
        "companies/<int:company_id>/invitations/",
        views.invitation_create,
        name="invitation_create",
    ),
    path(
        "companies/<int:company_id>/invitations/withdraw/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("companies/<int:company_id>/members/remove/", views.member_remove, name="member_remove"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
