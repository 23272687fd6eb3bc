from django.contrib import admin

from consult.notifications.models import Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "subject", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient", "actor"]
    readonly_fields = ["created_at"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "delivery", "language", "last_language", "digest_sent_at"]
    list_filter = ["delivery"]
    raw_id_fields = ["user"]
    readonly_fields = ["updated_at"]
