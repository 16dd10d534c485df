from django.apps import AppConfig


class InsightConfig(AppConfig):
    """Evidence across a programme and an organisation: the programme report, the organisation
    overview and the exports (docs/insight.md).

    It stands at the top of the layers: a report reads every app's figures."""

    name = "upward.insight"
    label = "insight"

    def ready(self) -> None:
        from upward.insight.panels_exports import register_export_panels

        register_export_panels()
