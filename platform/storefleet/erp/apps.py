from django.apps import AppConfig


class ErpConfig(AppConfig):
    name = "storefleet.erp"
    label = "erp"
    verbose_name = "ERP integration"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Call statistics counted inside a transaction are written once the request or task
        # that made the calls is over (storefleet.erp.stats); bookkeeping, not business logic.
        from celery.signals import task_postrun
        from django.core.signals import request_finished

        from .stats import stats_flush

        request_finished.connect(stats_flush, dispatch_uid="erp-stats-flush")
        task_postrun.connect(stats_flush, weak=False, dispatch_uid="erp-stats-flush")
