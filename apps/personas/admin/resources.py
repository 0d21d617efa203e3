"""django-import-export resources: which columns CSV, XLSX and JSON files carry, keyed by code and slug."""

from import_export import fields, resources, widgets

from apps.personas.models import Module, Persona


class ModuleResource(resources.ModelResource):
    class Meta:
        model = Module
        import_id_fields = ("code",)
        exclude = ("id", "created_at", "updated_at")
        clean_model_instances = True  # model validation errors become row errors in the preview
        skip_unchanged = True
        report_skipped = True


class PersonaResource(resources.ModelResource):
    modules = fields.Field(
        attribute="modules", column_name="modules", widget=widgets.ManyToManyWidget(Module, field="code", separator=",")
    )
    alternate_greetings = fields.Field(attribute="alternate_greetings", widget=widgets.JSONWidget())
    tags = fields.Field(attribute="tags", widget=widgets.JSONWidget())
    languages = fields.Field(attribute="languages", widget=widgets.JSONWidget())
    extensions = fields.Field(attribute="extensions", widget=widgets.JSONWidget())
    character_book = fields.Field(attribute="character_book", widget=widgets.JSONWidget())
    card_v3_extra = fields.Field(attribute="card_v3_extra", widget=widgets.JSONWidget())

    class Meta:
        model = Persona
        import_id_fields = ("slug",)
        exclude = ("id", "created_at", "updated_at", "avatar")  # pictures travel as character cards, not in tables
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
