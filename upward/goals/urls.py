from django.urls import path

from upward.goals import views

# Included at the site root, so these are full paths.
app_name = "goals"
urlpatterns = [
    path("pairings/<id:pk>/goals/", views.goals, name="goals"),
    path("pairings/<id:pk>/goals/new/", views.new_goal, name="new_goal"),
    path("pairings/<id:pk>/goals/<id:goal_pk>/edit/", views.edit_goal, name="edit_goal"),
    path("pairings/<id:pk>/goals/<id:goal_pk>/move/", views.move_goal, name="move_goal"),
    path("pairings/<id:pk>/goals/<id:goal_pk>/delete/", views.delete_goal, name="delete_goal"),
    path("pairings/<id:pk>/goals/<id:goal_pk>/tasks/new/", views.new_task, name="new_task"),
    path("pairings/<id:pk>/tasks/<id:task_pk>/done/", views.toggle_task, name="toggle_task"),
    path("pairings/<id:pk>/tasks/<id:task_pk>/delete/", views.delete_task, name="delete_task"),
    path("pairings/<id:pk>/skills/", views.skills, name="skills"),
    path("pairings/<id:pk>/skills/<str:kind>/<str:whom>/", views.rate, name="rate"),
    path("pairings/<id:pk>/workbook/", views.workbook, name="workbook"),
    # Programme team
    path("programmes/<id:pk>/goals-overview/", views.programme_overview, name="overview"),
    path("programmes/<id:pk>/skills-framework/", views.framework, name="framework"),
    path("programmes/<id:pk>/skills-framework/new/", views.skill_form, name="new_skill"),
    path(
        "programmes/<id:pk>/skills-framework/<id:skill_pk>/edit/",
        views.skill_form,
        name="edit_skill",
    ),
    path(
        "programmes/<id:pk>/skills-framework/<id:skill_pk>/remove/",
        views.remove_skill,
        name="remove_skill",
    ),
]
