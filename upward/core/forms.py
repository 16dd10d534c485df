from django.forms.renderers import TemplatesSetting


class UpwardFormRenderer(TemplatesSetting):
    """Every `{{ form }}` renders with labels, help text and errors tied to the input (WCAG)."""

    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"
