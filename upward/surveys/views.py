"""Survey builder and outcomes for managers; due surveys and the answer form for participants."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from upward.core import exports
from upward.core.errors import DomainError
from upward.core.forms import apply_domain_error
from upward.core.types import AuthenticatedRequest
from upward.organisations.access import require_person
from upward.programmes.access import access_programme_for_manager
from upward.surveys import library, reporting, selectors, services
from upward.surveys.access import (
    access_question_for_manager,
    access_survey_for_manager,
    access_survey_occasion,
)
from upward.surveys.forms import (
    AnswerForm,
    QuestionForm,
    SuccessMeasureForm,
    SurveyForm,
    TemplateChoiceForm,
)

# ---------------------------------------------------------------- managers


@login_required
@require_http_methods(["GET", "POST"])
def programme_surveys(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    templates = library.templates_for(programme.objective, programme.inclusion_focus)
    form = TemplateChoiceForm(
        request.POST if request.method == "POST" else None, templates=templates
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.create_survey_from_template(
                programme, template_key=form.cleaned_data["template"], by=request.user
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, _("Survey created as a draft. Check the questions, then open it.")
            )
            return redirect("surveys:detail", programme.pk, survey.pk)
    return render(
        request,
        "surveys/programme_surveys.html",
        {
            "programme": programme,
            "schedules": selectors.survey_schedules(
                programme, selectors.programme_surveys(programme)
            ),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_survey(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.create_survey(programme, **form.cleaned_data, by=request.user)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Survey created. Add its questions."))
            return redirect("surveys:detail", programme.pk, survey.pk)
    return render(
        request,
        "surveys/survey_form.html",
        {"programme": programme, "form": form, "survey": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_survey(request: AuthenticatedRequest, pk: int, survey_pk: int) -> HttpResponse:
    survey = access_survey_for_manager(request.user, pk, survey_pk)
    initial = {
        "title": survey.title,
        "intro": survey.intro,
        "timing": survey.timing,
        "audience": survey.audience,
        "is_anonymous": survey.is_anonymous,
    }
    form = SurveyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_survey(survey, **form.cleaned_data, by=request.user)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Survey settings saved."))
            return redirect("surveys:detail", pk, survey.pk)
    return render(
        request,
        "surveys/survey_form.html",
        {"programme": survey.programme, "form": form, "survey": survey},
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_detail(request: AuthenticatedRequest, pk: int, survey_pk: int) -> HttpResponse:
    survey = access_survey_for_manager(request.user, pk, survey_pk)
    form = QuestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_question(
                survey,
                text=data["text"],
                kind=data["kind"],
                item_key=data["item_key"],
                help_text=data["help_text"],
                choices=form.lines("choices"),
                labels=form.lines("labels"),
                required=data["required"],
                by=request.user,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Question added."))
            return redirect("surveys:detail", pk, survey.pk)
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "programme": survey.programme,
            "survey": survey,
            "schedule": selectors.survey_schedule(survey),
            "questions": selectors.survey_questions(survey),
            "answered": survey.submissions.count(),
            "min_group": settings.UPWARD_MIN_GROUP_SIZE,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_question(
    request: AuthenticatedRequest, pk: int, survey_pk: int, question_pk: int
) -> HttpResponse:
    question = access_question_for_manager(request.user, pk, survey_pk, question_pk)
    survey = question.survey
    form = QuestionForm(
        request.POST if request.method == "POST" else None,
        initial=QuestionForm.initial_for(question),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_question(
                question,
                text=data["text"],
                kind=data["kind"],
                item_key=data["item_key"],
                help_text=data["help_text"],
                choices=form.lines("choices"),
                labels=form.lines("labels"),
                required=data["required"],
                by=request.user,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Question saved."))
            return redirect("surveys:detail", pk, survey.pk)
    return render(
        request,
        "surveys/question_form.html",
        {"programme": survey.programme, "survey": survey, "question": question, "form": form},
    )


@login_required
@require_POST
def move_question(
    request: AuthenticatedRequest, pk: int, survey_pk: int, question_pk: int
) -> HttpResponse:
    question = access_question_for_manager(request.user, pk, survey_pk, question_pk)
    try:
        services.move_question(
            question, direction=request.POST.get("direction", ""), by=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("surveys:detail", pk, survey_pk)


def _confirm(
    request: HttpRequest,
    *,
    programme: object,
    survey: object,
    title: str,
    what: str,
    consequence: str,
    button: str,
    danger: bool,
) -> HttpResponse:
    return render(
        request,
        "surveys/confirm.html",
        {
            "programme": programme,
            "survey": survey,
            "title": title,
            "what": what,
            "consequence": consequence,
            "button": button,
            "danger": danger,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_question(
    request: AuthenticatedRequest, pk: int, survey_pk: int, question_pk: int
) -> HttpResponse:
    question = access_question_for_manager(request.user, pk, survey_pk, question_pk)
    survey = question.survey
    if request.method == "POST":
        try:
            services.delete_question(question, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Question deleted."))
        return redirect("surveys:detail", pk, survey.pk)
    return _confirm(
        request,
        programme=survey.programme,
        survey=survey,
        title=_("Delete this question?"),
        what=question.text,
        consequence=_("The question is removed from the draft survey."),
        button=_("Delete question"),
        danger=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def open_survey(request: AuthenticatedRequest, pk: int, survey_pk: int) -> HttpResponse:
    survey = access_survey_for_manager(request.user, pk, survey_pk)
    if request.method == "POST":
        try:
            services.open_survey(survey, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            schedule = selectors.survey_schedule(survey)
            if schedule.opens_on is None or schedule.closes_on is None:
                text = _("The survey is open. Each person is asked after every meeting they hold.")
            else:
                text = _(
                    "The survey is open. Participants are asked from %(opens)s to %(closes)s."
                ) % {
                    "opens": date_format(schedule.opens_on, "j F Y"),
                    "closes": date_format(schedule.closes_on, "j F Y"),
                }
            messages.success(request, text)
        return redirect("surveys:detail", pk, survey.pk)
    return _confirm(
        request,
        programme=survey.programme,
        survey=survey,
        title=_("Open this survey?"),
        what=survey.title,
        consequence=_(
            "Participants can answer it while it is due. Its questions and its anonymity "
            "setting can no longer change, so every answer matches what people were asked."
        ),
        button=_("Open the survey"),
        danger=False,
    )


@login_required
@require_http_methods(["GET", "POST"])
def send_survey_now(request: AuthenticatedRequest, pk: int, survey_pk: int) -> HttpResponse:
    survey = access_survey_for_manager(request.user, pk, survey_pk)
    if request.method == "POST":
        try:
            result = services.send_survey_now(survey, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if result.first_time:
                messages.success(
                    request,
                    ngettext(
                        "The survey is due now. %(n)s person was told.",
                        "The survey is due now. %(n)s people were told.",
                        result.notified,
                    )
                    % {"n": result.notified},
                )
            else:
                messages.info(
                    request,
                    _(
                        "This survey had already been sent, so nobody was told twice "
                        "(%(n)s new notices)."
                    )
                    % {"n": result.notified},
                )
        return redirect("surveys:detail", pk, survey.pk)
    schedule = selectors.survey_schedule(survey)
    return render(
        request,
        "surveys/send_now.html",
        {
            "programme": survey.programme,
            "survey": survey,
            "schedule": schedule,
            "answered": survey.submissions.filter(occasion="").count(),
            "send_now_days": selectors.SEND_NOW_DAYS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def close_survey(request: AuthenticatedRequest, pk: int, survey_pk: int) -> HttpResponse:
    survey = access_survey_for_manager(request.user, pk, survey_pk)
    if request.method == "POST":
        try:
            services.close_survey(survey, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The survey is closed. Its answers are kept."))
        return redirect("surveys:detail", pk, survey.pk)
    return _confirm(
        request,
        programme=survey.programme,
        survey=survey,
        title=_("Close this survey?"),
        what=survey.title,
        consequence=_(
            "Nobody else can answer it, including people who have not answered yet. The "
            "answers given so far stay in the results. Closing cannot be undone."
        ),
        button=_("Close the survey"),
        danger=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_survey(request: AuthenticatedRequest, pk: int, survey_pk: int) -> HttpResponse:
    survey = access_survey_for_manager(request.user, pk, survey_pk)
    if request.method == "POST":
        try:
            services.delete_survey(survey, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("surveys:detail", pk, survey.pk)
        messages.success(request, _("Survey deleted."))
        return redirect("surveys:list", pk)
    return _confirm(
        request,
        programme=survey.programme,
        survey=survey,
        title=_("Delete this survey?"),
        what=survey.title,
        consequence=_("The survey and its questions are deleted. This cannot be undone."),
        button=_("Delete survey"),
        danger=True,
    )


@login_required
def outcomes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    result = selectors.programme_outcomes(programme)
    form = SuccessMeasureForm(
        initial={"item_key": result.measure.item_key if result.measure else ""},
        items=selectors.measurable_items(programme),
    )
    return render(
        request,
        "surveys/outcomes.html",
        {"programme": programme, "result": result, "measure_form": form},
    )


@login_required
@require_POST
def success_measure(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    form = SuccessMeasureForm(request.POST, items=selectors.measurable_items(programme))
    if form.is_valid():
        try:
            services.set_success_measure(
                programme, item_key=form.cleaned_data["item_key"], by=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Success measure saved."))
    else:
        messages.error(request, _("Choose one of the questions listed."))
    return redirect("surveys:outcomes", programme.pk)


@login_required
def export_outcomes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    result = selectors.programme_outcomes(programme)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="outcomes-{programme.pk}.csv"'
    writer = exports.csv_writer(response)
    for row in reporting.outcome_rows(result):
        writer.writerow(row)
    return response


# ---------------------------------------------------------------- participants


@login_required
def my_surveys(request: AuthenticatedRequest) -> HttpResponse:
    person = require_person(request.user)
    occasions = selectors.survey_occasions(person)
    return render(
        request,
        "surveys/mine.html",
        {
            "due": [d for d in occasions if not d.submitted],
            "answered": [d for d in occasions if d.submitted],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: AuthenticatedRequest, survey_pk: int, occasion: str = "") -> HttpResponse:
    due = access_survey_occasion(request.user, survey_pk, occasion)
    if due.submitted:
        messages.info(request, _("You have already answered this survey. Thank you."))
        return redirect("surveys:mine")
    person = require_person(request.user)
    questions = list(due.survey.questions.order_by("position", "pk"))
    form = AnswerForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_response(due, person=person, answers=form.raw_answers())
        except DomainError as exc:
            apply_domain_error(form, exc, field=form.field_for(exc.field))
        else:
            return redirect("surveys:thanks", due.survey.pk)
    return render(
        request,
        "surveys/answer.html",
        {"due": due, "survey": due.survey, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def thanks(request: AuthenticatedRequest, survey_pk: int) -> HttpResponse:
    person = require_person(request.user)
    occasions = selectors.survey_occasions(person)
    answered = [d for d in occasions if d.survey.pk == survey_pk and d.submitted]
    if not answered:
        raise Http404("No such survey.")
    return render(
        request,
        "surveys/thanks.html",
        {"survey": answered[0].survey, "more": [d for d in occasions if not d.submitted]},
    )
