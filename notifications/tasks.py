"""Celery tasks of the notifications app: webhook deliveries (WEBHOOK_QUEUE) and the beat jobs."""

from __future__ import annotations

from celery import shared_task

from notifications import services


@shared_task(name="notifications.tasks.deliver_webhook", acks_late=True, ignore_result=True)
def deliver_webhook(delivery_id: str, attempt: int) -> str:
    return services.attempt_delivery(delivery_id=delivery_id, attempt=int(attempt))


@shared_task(name="notifications.tasks.requeue_due_webhooks", ignore_result=True)
def requeue_due_webhooks() -> int:
    return services.requeue_due()


@shared_task(name="notifications.tasks.send_email_digests", ignore_result=True)
def send_email_digests() -> dict:
    return services.send_email_digests()
