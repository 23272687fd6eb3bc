from django import forms
from django.contrib import admin
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag

from consult.accounts.admin import NamesInLanguagesAdmin
from consult.accounts.forms import NamesInLanguagesForm
from consult.infra import names
from proposals.models import Proposal, Topic


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "status", "opens_at", "closes_at"]
    list_filter = ["status", "department"]
    search_fields = ["title", "summary"]
    list_select_related = ["department"]


class TopicNamesForm(NamesInLanguagesForm):
    """A topic (a tag) and its names in the site's other languages, which
    live on its `Topic` row."""

    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def clean_name(self) -> str:
        # A topic is named under the same rule as places and departments.
        name = names.tidy(self.cleaned_data.get("name"))
        if name and not names.is_clean(name):
            raise forms.ValidationError(names.LABEL_CHARACTERS)
        return name

    def translated_row(self) -> Topic:
        if not hasattr(self, "_topic"):
            topic = Topic.objects.filter(tag=self.instance).first() if self.instance.pk else None
            self._topic = topic or Topic(translations={})
        return self._topic


admin.site.unregister(Tag)


@admin.register(Tag)
class TopicAdmin(NamesInLanguagesAdmin, TaggitTagAdmin):
    form = TopicNamesForm

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        Topic.objects.update_or_create(
            tag=obj, defaults={"translations": form.translated_row().translations}
        )
