from django.apps import AppConfig


class DefinitionsConfig(AppConfig):
    name = "definitions"
    verbose_name = "年度报表定义"
