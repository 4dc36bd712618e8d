"""Returning shipped lines of an order, for whoever acts for the company (a buyer, an agent, an
API key, each a ``Principal``):

- ``services``: ``return_request``, a return checked against what was shipped and written
  with its outbox message;
- ``selectors``: the return form of a sale (what can still be returned) and the company's
  returns;
- ``outbox``: ``return_file``, the outbox step that files a return in the ERP;
- ``refresh``: ``returns_refresh``, the ERP's state of filed returns brought up to date.

Cancelling an order lives in ``ordering.cancel``, the order's stage and the actions its page
offers in ``ordering.actions``, which order a number names in ``ordering.order_ref``."""
