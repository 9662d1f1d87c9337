from django.apps import AppConfig

# Imported for its system check, which says at start-up when a font for printing is missing.
from exchange import pdf_fonts  # noqa: F401


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = "数据交换"
