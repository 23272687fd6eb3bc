from django.contrib import admin

from proposals.models import Proposal


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "status", "opens_at", "closes_at"]
    list_filter = ["status", "department"]
    search_fields = ["title", "summary"]
    list_select_related = ["department"]
