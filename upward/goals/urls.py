from django.urls import path

from upward.goals import views

# Included at the site root, so these are full paths.
app_name = "goals"
urlpatterns = [
    path("pairings/<int:pk>/goals/", views.goals, name="goals"),
    path("pairings/<int:pk>/goals/new/", views.new_goal, name="new_goal"),
    path("pairings/<int:pk>/goals/<int:goal_pk>/edit/", views.edit_goal, name="edit_goal"),
    path("pairings/<int:pk>/goals/<int:goal_pk>/move/", views.move_goal, name="move_goal"),
    path("pairings/<int:pk>/goals/<int:goal_pk>/delete/", views.delete_goal, name="delete_goal"),
    path("pairings/<int:pk>/goals/<int:goal_pk>/tasks/new/", views.new_task, name="new_task"),
    path("pairings/<int:pk>/tasks/<int:task_pk>/done/", views.toggle_task, name="toggle_task"),
    path("pairings/<int:pk>/tasks/<int:task_pk>/delete/", views.delete_task, name="delete_task"),
    path("pairings/<int:pk>/skills/", views.skills, name="skills"),
    path("pairings/<int:pk>/skills/<str:kind>/<str:whom>/", views.rate, name="rate"),
    path("pairings/<int:pk>/workbook/", views.workbook, name="workbook"),
    # Programme team
    path("programmes/<int:pk>/goals-overview/", views.programme_overview, name="overview"),
    path("programmes/<int:pk>/skills-framework/", views.framework, name="framework"),
    path("programmes/<int:pk>/skills-framework/new/", views.skill_form, name="new_skill"),
    path(
        "programmes/<int:pk>/skills-framework/<int:skill_pk>/edit/",
        views.skill_form,
        name="edit_skill",
    ),
    path(
        "programmes/<int:pk>/skills-framework/<int:skill_pk>/remove/",
        views.remove_skill,
        name="remove_skill",
    ),
]
