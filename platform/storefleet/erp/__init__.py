"""The central ERP integration: one typed gateway (``gateway.get_gateway()``) in front of
configurable backends. Nothing outside this package speaks to the ERP."""
