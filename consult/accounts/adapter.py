from allauth.account.adapter import DefaultAccountAdapter

from consult.mail import DeferredEmail


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter, with its emails sent by the task worker."""

    def render_mail(self, template_prefix, email, context, headers=None):
        return DeferredEmail(super().render_mail(template_prefix, email, context, headers))
