from django.contrib import admin

from consult.identity.models import IdentityClaim, Verification


@admin.register(Verification)
class VerificationAdmin(admin.ModelAdmin):
    """Read-only: decisions go through the review pages, which audit them."""

    list_display = ["user", "jurisdiction", "method", "status", "created_at", "decided_at"]
    list_filter = ["method", "status"]
    raw_id_fields = ["user", "decided_by", "claim"]
    # The pending method data (a document number, an address) stays out of the admin.
    exclude = ["method_data"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Released only by revoking the verification, which is audited.
        return False


@admin.register(IdentityClaim)
class IdentityClaimAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
    readonly_fields = ["digest", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
