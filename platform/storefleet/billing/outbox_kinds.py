"""The kind of outbox message billing owns (``storefleet.outbox``); its handler is registered
in ``BillingConfig.ready``."""

RECORD_PAYMENT = "payment.record"  # subject: Payment.id, key: the payment's idempotency key
