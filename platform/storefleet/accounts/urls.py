"""Company accounts on a store's host, under /account/."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.StoreLoginView.as_view(), name="login"),
    path("sign-out/", views.StoreLogoutView.as_view(), name="logout"),
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
