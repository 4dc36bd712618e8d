"""Storefleet's Pulumi components: the shared platform and one ``BrandStore`` per store.

Importable without Django or the ``pulumi`` CLI, so the programs can be unit-tested under Pulumi's
mocks and imported by the provisioning's Automation API driver."""
