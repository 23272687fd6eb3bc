from allauth.account.adapter import DefaultAccountAdapter

from consult.mail import DeferredEmail


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter: the display name is part of the first save, and
    emails are sent by the task worker."""

    def save_user(self, request, user, form, commit=True):
        user.display_name = form.cleaned_data.get("display_name", "")
        return super().save_user(request, user, form, commit=commit)

    def render_mail(self, template_prefix, email, context, headers=None):
        return DeferredEmail(super().render_mail(template_prefix, email, context, headers))
