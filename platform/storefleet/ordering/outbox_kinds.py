"""The kinds of outbox messages ordering owns (``storefleet.outbox``); their handlers are
registered in ``OrderingConfig.ready``. The subject of each is the id of what it carries."""

SUBMIT_ORDER = "order.submit"  # subject: Order.id, key: the order's number
FILE_RETURN = "return.file"  # subject: ReturnRequest.id, key: the return's number
