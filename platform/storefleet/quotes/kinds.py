"""The kinds of outbox messages quotes own (``storefleet.outbox``); their handlers are
registered in ``QuotesConfig.ready``. The subject of each is a ``QuoteRequest.id``."""

REQUEST_QUOTE = "quote.request"  # key: the quote's key (its ERP sale's idempotency key)
ACCEPT_QUOTE = "quote.accept"  # key: "accept:" + the quote's key
