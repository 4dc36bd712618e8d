"""Storefleet: many B2B storefronts on one shared commerce core."""

from .celery import app as celery_app

__all__ = ["celery_app"]
