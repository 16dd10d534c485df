from django.urls import path

from upward.surveys import views

app_name = "surveys"

_survey = "programmes/<id:pk>/surveys/<id:survey_pk>/"

urlpatterns = [
    path("programmes/<id:pk>/surveys/", views.programme_surveys, name="list"),
    path("programmes/<id:pk>/surveys/new/", views.new_survey, name="new"),
    path(_survey, views.survey_detail, name="detail"),
    path(_survey + "edit/", views.edit_survey, name="edit"),
    path(_survey + "open/", views.open_survey, name="open"),
    path(_survey + "send/", views.send_survey_now, name="send_now"),
    path(_survey + "close/", views.close_survey, name="close"),
    path(_survey + "delete/", views.delete_survey, name="delete"),
    path(_survey + "questions/<id:question_pk>/edit/", views.edit_question, name="question_edit"),
    path(
        _survey + "questions/<id:question_pk>/delete/",
        views.delete_question,
        name="question_delete",
    ),
    path(_survey + "questions/<id:question_pk>/move/", views.move_question, name="question_move"),
    path("programmes/<id:pk>/outcomes/", views.outcomes, name="outcomes"),
    path("programmes/<id:pk>/outcomes/measure/", views.success_measure, name="success_measure"),
    path("programmes/<id:pk>/outcomes.csv", views.export_outcomes, name="export"),
    path("surveys/", views.my_surveys, name="mine"),
    path("surveys/<id:survey_pk>/answer/", views.answer, name="answer"),
    path("surveys/<id:survey_pk>/answer/<slug:occasion>/", views.answer, name="answer_occasion"),
    path("surveys/<id:survey_pk>/thanks/", views.thanks, name="thanks"),
]
