from django.urls import path

from upward.organisations import audit_views, views

app_name = "organisations"
urlpatterns = [
    path("", views.people, name="people"),
    path("new/", views.person_create, name="person_create"),
    path("me/away/", views.my_availability, name="my_availability"),
    path("audit/", audit_views.audit_log_page, name="audit_log"),
    path("<id:pk>/", views.person_detail, name="person_detail"),
    path("<id:pk>/edit/", views.person_edit, name="person_edit"),
    path("<id:pk>/leave/", views.person_leave, name="person_leave"),
    path("<id:pk>/back/", views.person_back, name="person_back"),
    path("import/", views.import_start, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("import/<id:pk>/", views.import_preview, name="import_preview"),
    path("import/<id:pk>/apply/", views.import_apply, name="import_apply"),
    path("import/<id:pk>/status/", views.import_status, name="import_status"),
    path("import/<id:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("setup/", views.setup, name="setup"),
    path("setup/levels/new/", views.level_create, name="level_create"),
    path("setup/levels/<id:pk>/", views.level_edit, name="level_edit"),
    path("setup/levels/<id:pk>/move/", views.level_move, name="level_move"),
    path("setup/levels/<id:pk>/delete/", views.level_delete, name="level_delete"),
    path("setup/departments/new/", views.department_create, name="department_create"),
    path("setup/departments/<id:pk>/", views.department_edit, name="department_edit"),
    path("setup/departments/<id:pk>/delete/", views.department_delete, name="department_delete"),
    path("setup/teams/new/", views.team_create, name="team_create"),
    path("setup/teams/<id:pk>/", views.team_edit, name="team_edit"),
    path("setup/teams/<id:pk>/delete/", views.team_delete, name="team_delete"),
    path("setup/topics/new/", views.topic_create, name="topic_create"),
    path("setup/topics/<id:pk>/", views.topic_edit, name="topic_edit"),
    path("setup/logo/", views.logo_edit, name="logo"),
    path("setup/logo/image.png", views.logo_image, name="logo_image"),
    path("setup/logo/remove/", views.logo_remove, name="logo_remove"),
]
