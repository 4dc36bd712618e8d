"""The kinds of outbox messages quotes own (``storefleet.outbox``); their handlers are
registered in ``QuotesConfig.ready``. The subject of a request, an acceptance or a decline is a
``QuoteRequest.id``, of an answer the ``QuoteVersion.id`` (a quote has many)."""

REQUEST_QUOTE = "quote.request"  # key: the quote's key (its ERP sale's idempotency key)
ACCEPT_QUOTE = "quote.accept"  # key: "accept:" + the quote's key
DECLINE_QUOTE = "quote.decline"  # key: "decline:" + the quote's key (its ERP quotation cancelled)
ANSWER_QUOTE = "quote.answer"  # subject: a QuoteVersion.id; key: "answer:" + key + ":" + number
