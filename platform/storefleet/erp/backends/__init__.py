"""ERP backends, chosen by ``settings.ERP_BACKEND`` (a dotted path to a factory)."""
