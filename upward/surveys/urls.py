from django.urls import path

from upward.surveys import views

app_name = "surveys"

_survey = "programmes/<int:pk>/surveys/<int:survey_pk>/"

urlpatterns = [
    path("programmes/<int:pk>/surveys/", views.programme_surveys, name="list"),
    path("programmes/<int:pk>/surveys/new/", views.new_survey, name="new"),
    path(_survey, views.survey_detail, name="detail"),
    path(_survey + "edit/", views.edit_survey, name="edit"),
    path(_survey + "open/", views.open_survey, name="open"),
    path(_survey + "close/", views.close_survey, name="close"),
    path(_survey + "delete/", views.delete_survey, name="delete"),
    path(_survey + "questions/<int:question_pk>/edit/", views.edit_question, name="question_edit"),
    path(
        _survey + "questions/<int:question_pk>/delete/",
        views.delete_question,
        name="question_delete",
    ),
    path(_survey + "questions/<int:question_pk>/move/", views.move_question, name="question_move"),
    path("programmes/<int:pk>/outcomes/", views.outcomes, name="outcomes"),
    path("programmes/<int:pk>/outcomes/measure/", views.success_measure, name="success_measure"),
    path("programmes/<int:pk>/outcomes.csv", views.export_outcomes, name="export"),
    path("surveys/", views.my_surveys, name="mine"),
    path("surveys/<int:survey_pk>/answer/", views.answer, name="answer"),
    path("surveys/<int:survey_pk>/answer/<slug:occasion>/", views.answer, name="answer_occasion"),
    path("surveys/<int:survey_pk>/thanks/", views.thanks, name="thanks"),
]
