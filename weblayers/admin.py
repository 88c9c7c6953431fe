from django.contrib import admin
from django.core.exceptions import ValidationError

from . import services
from .models import Form, Pixel


@admin.register(Form)
class FormAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "database", "resource", "channel", "update_utm", "is_active"]
    list_filter = ["is_active", "update_utm"]
    search_fields = ["name", "slug"]
    list_select_related = ["database", "resource"]
    prepopulated_fields = {"slug": ["name"]}

    def get_form(self, request, obj=None, **kwargs):
        model_form = super().get_form(request, obj, **kwargs)

        class CheckedForm(model_form):
            def _post_clean(self):
                super()._post_clean()
                try:
                    services.check_inputs(self.instance)
                except ValidationError as error:
                    self.add_error("inputs", error.message_dict["inputs"])

        return CheckedForm


@admin.register(Pixel)
class PixelAdmin(admin.ModelAdmin):
    list_display = ["name", "pixel_id", "database", "goal", "update_utm", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["database"]
