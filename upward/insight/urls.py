from django.urls import path

from upward.insight import export_views, inclusion_views, overview_views, views

# Included at the site root, so these are full paths.
app_name = "insight"
urlpatterns = [
    # Exports (docs/insight.md, "Exports")
    path("exports/", export_views.organisation_exports, name="exports"),
    path("exports/columns/", export_views.export_dictionary, name="export_dictionary"),
    path("exports/<slug:kind>.<slug:fmt>", export_views.organisation_export, name="export"),
    path("programmes/<id:pk>/exports/", export_views.programme_exports, name="programme_exports"),
    path(
        "programmes/<id:pk>/exports/<slug:kind>.<slug:fmt>",
        export_views.programme_export,
        name="programme_export",
    ),
    # issue 16: overview
    path("overview/", overview_views.overview_page, name="overview"),
    # issue 16: report
    path("programmes/<id:pk>/report/", views.programme_report_page, name="programme_report"),
    path(
        "programmes/<id:pk>/report/print/",
        views.programme_report_print,
        name="programme_report_print",
    ),
    path("programmes/<id:pk>/report.pdf", views.programme_report_pdf, name="programme_report_pdf"),
    # issue 16: suppress
    path("overview/inclusion/", inclusion_views.inclusion, name="inclusion"),
]
