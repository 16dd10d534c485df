from django.urls import path

from upward.insight import views

# Included at the site root, so these are full paths.
app_name = "insight"
urlpatterns = [
    # issue 16: report
    path("programmes/<id:pk>/report/", views.programme_report_page, name="programme_report"),
    path(
        "programmes/<id:pk>/report/print/",
        views.programme_report_print,
        name="programme_report_print",
    ),
    path("programmes/<id:pk>/report.pdf", views.programme_report_pdf, name="programme_report_pdf"),
]
