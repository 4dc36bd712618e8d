from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "storefleet.accounts"
    label = "accounts"
    verbose_name = "Customer companies"
