from django.apps import AppConfig


class KernelAppConfig(AppConfig):
    name = "tests.kernel_app"
    label = "kernel_app"
    verbose_name = "内核示例"

    def ready(self) -> None:
        from tests.kernel_app import registry  # noqa: F401
