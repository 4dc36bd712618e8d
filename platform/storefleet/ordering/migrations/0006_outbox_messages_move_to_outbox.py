"""Ordering's own outbox (``ordering.OutboxMessage``) gives way to ``storefleet.outbox``: every
row moves there, pending ones too, with its attempts, lease, error and times, so no order or
return owed to the ERP is lost; then the old table goes. Tasks of the old names still queued
find no worker for them: the sweeper sends what they carried once its lease has run out."""

from django.db import migrations

SUBMIT_ORDER = "order.submit"
FILE_RETURN = "return.file"
CANCELLED_NOTE = "cancelled by the buyer before it was sent"


def _state(row) -> str:
    if row.done_at is None:
        return "pending"
    if row.last_error and row.attempts == 0:
        return "cancelled"  # taken out of the outbox by a cancel (returns._cancel_before_erp)
    return "failed" if row.last_error else "done"


def forwards(apps, schema_editor):
    Old = apps.get_model("ordering", "OutboxMessage")
    Message = apps.get_model("outbox", "Message")
    known = set(
        Message.objects.filter(kind__in=(SUBMIT_ORDER, FILE_RETURN)).values_list(
            "kind", "subject"
        )
    )
    moved = []
    rows = Old.objects.select_related("order", "return_request").order_by("id")
    for row in rows.iterator(chunk_size=500):
        if row.kind == FILE_RETURN:
            subject, key = str(row.return_request_id), row.return_request.number
        else:
            subject, key = str(row.order_id), row.order.number
        if (row.kind, subject) in known:
            continue
        known.add((row.kind, subject))
        moved.append(
            Message(
                kind=row.kind,
                subject=subject,
                key=key,
                state=_state(row),
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
    Old = apps.get_model("ordering", "OutboxMessage")
    Message = apps.get_model("outbox", "Message")
    Order = apps.get_model("ordering", "Order")
    ReturnRequest = apps.get_model("ordering", "ReturnRequest")
    messages = Message.objects.filter(kind__in=(SUBMIT_ORDER, FILE_RETURN))
    for message in messages.order_by("id").iterator(chunk_size=500):
        order_id, return_id = None, None
        if message.kind == FILE_RETURN:
            return_id = int(message.subject)
            order_id = ReturnRequest.objects.filter(id=return_id).values_list(
                "order_id", flat=True
            ).first()
        else:
            order_id = Order.objects.filter(id=int(message.subject)).values_list(
                "id", flat=True
            ).first()
        Old.objects.create(
            kind=message.kind,
            order_id=order_id,
            return_request_id=return_id,
            available_at=message.next_try_at,
            attempts=message.attempts,
            last_error=message.last_error,
            done_at=message.done_at,
        )
    messages.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ordering", "0005_backorder_choice"),
        ("outbox", "0001_messages"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="OutboxMessage"),
    ]
