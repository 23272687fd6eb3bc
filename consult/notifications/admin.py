from django.contrib import admin

from consult.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "subject", "created_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient", "actor"]
    readonly_fields = ["created_at"]
