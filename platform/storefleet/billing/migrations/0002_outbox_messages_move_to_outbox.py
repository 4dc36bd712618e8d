"""Billing's own outbox (``billing.OutboxMessage``) gives way to ``storefleet.outbox``: every
row moves there, pending ones too, with its attempts, lease, error and times, so no paid
payment owed to the ERP is lost; then the old table goes. The ERP keeps deduping by each
payment's idempotency key, which becomes the message's key."""

from django.db import migrations

RECORD_PAYMENT = "payment.record"


def forwards(apps, schema_editor):
    Old = apps.get_model("billing", "OutboxMessage")
    Message = apps.get_model("outbox", "Message")
    known = set(
        Message.objects.filter(kind=RECORD_PAYMENT).values_list("subject", flat=True)
    )
    moved = []
    for row in Old.objects.select_related("payment").order_by("id").iterator(chunk_size=500):
        subject = str(row.payment_id)
        if subject in known:
            continue
        known.add(subject)
        if row.done_at is None:
            state = "pending"
        else:
            state = "failed" if row.last_error else "done"  # refused by the ERP, kept for service
        moved.append(
            Message(
                kind=RECORD_PAYMENT,
                subject=subject,
                key=row.payment.idempotency_key,
                state=state,
                attempts=row.attempts,
                leased_until=row.available_at if row.attempts else None,
                next_try_at=row.available_at,
                last_error=row.last_error,
                created_at=row.created_at,
                done_at=row.done_at,
            )
        )
    Message.objects.bulk_create(moved, batch_size=500)


def backwards(apps, schema_editor):
    Old = apps.get_model("billing", "OutboxMessage")
    Message = apps.get_model("outbox", "Message")
    messages = Message.objects.filter(kind=RECORD_PAYMENT)
    for message in messages.order_by("id").iterator(chunk_size=500):
        Old.objects.create(
            payment_id=int(message.subject),
            available_at=message.next_try_at,
            attempts=message.attempts,
            last_error=message.last_error,
            done_at=message.done_at,
        )
    messages.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("outbox", "0001_messages"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="OutboxMessage"),
    ]
