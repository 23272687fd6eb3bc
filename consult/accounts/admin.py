from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from consult.accounts import services
from consult.accounts.forms import NamesInLanguagesForm
from consult.accounts.models import Department, Jurisdiction, Membership, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "display_name"]
    list_filter = ["is_staff", "is_active"]
    # Plain fields: Django's two-box group picker and date shortcuts carry
    # ARIA that screen readers are given wrong (untranslated, misplaced), and
    # no one should edit when a person last signed in or joined.
    filter_horizontal = []
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Public profile"), {"fields": ["display_name"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]})
    ]

    def save_model(self, request, obj, form, change):
        if change and "is_active" in form.changed_data:
            # Through the service: audited, and the person's sockets close.
            services.user_set_active(actor=request.user, user=obj, active=obj.is_active)
        super().save_model(request, obj, form, change)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["granted_at", "granted_by"]


class NamesInLanguagesAdmin(admin.ModelAdmin):
    """An admin whose form has a box for the name in each of the site's other languages."""

    def get_form(self, request, obj=None, **kwargs):
        kwargs.setdefault("form", self.form.in_languages())
        return super().get_form(request, obj, **kwargs)


class JurisdictionForm(NamesInLanguagesForm):
    class Meta:
        model = Jurisdiction
        fields = ["name", "slug", "level", "parent"]


def _keep_names(created, obj) -> None:
    """The names in other languages typed with a new place or department."""
    if obj.translations:
        created.translations = obj.translations
        created.save(update_fields=["translations"])


@admin.register(Jurisdiction)
class JurisdictionAdmin(NamesInLanguagesAdmin):
    form = JurisdictionForm
    list_display = ["name", "level", "parent"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["path", "depth"]

    def get_readonly_fields(self, request, obj=None):
        # Moving a jurisdiction would re-home every proposal under it: not an admin click.
        return [*self.readonly_fields, "parent"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.jurisdiction_create(
            actor=request.user, name=obj.name, slug=obj.slug, level=obj.level, parent=obj.parent
        )
        _keep_names(created, obj)
        obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth


class DepartmentForm(NamesInLanguagesForm):
    class Meta:
        model = Department
        fields = ["name", "slug", "jurisdiction", "parent"]

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent is not None and self.instance.pk and self.instance.is_at_or_above(parent):
            raise forms.ValidationError(services.CYCLE)
        return parent


@admin.register(Department)
class DepartmentAdmin(NamesInLanguagesAdmin):
    form = DepartmentForm
    list_display = ["name", "jurisdiction", "parent"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["path", "depth"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.department_create(
                actor=request.user,
                name=obj.name,
                slug=obj.slug,
                jurisdiction=obj.jurisdiction,
                parent=obj.parent,
            )
            _keep_names(created, obj)
            obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth
            return
        super().save_model(request, obj, form, change)
        if "parent" in form.changed_data:
            services.department_move(actor=request.user, department=obj, parent=obj.parent)

    def save_formset(self, request, form, formset, change):
        # Roles change through the services: checked, recorded with who
        # granted them, and on the audit log.
        changed = formset.save(commit=False)
        department = form.instance
        for membership in formset.deleted_objects:
            services.membership_revoke(
                actor=request.user,
                user=membership.user,
                department=department,
                role=membership.role,
            )
        for membership in changed:
            if membership.pk is not None:
                # A row edited in place: the role it held goes, the new one comes.
                held = Membership.objects.select_related("user").get(pk=membership.pk)
                services.membership_revoke(
                    actor=request.user, user=held.user, department=department, role=held.role
                )
            granted = services.membership_grant(
                actor=request.user,
                user=membership.user,
                department=department,
                role=membership.role,
            )
            membership.pk, membership.granted_at = granted.pk, granted.granted_at
            membership.granted_by_id = granted.granted_by_id
