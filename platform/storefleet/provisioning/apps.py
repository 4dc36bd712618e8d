from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "storefleet.provisioning"
    label = "provisioning"
    verbose_name = "Store provisioning"
