from allauth.account.adapter import DefaultAccountAdapter

from consult.infra.mail import DeferredEmail
from consult.infra.ratelimit import address


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter: the display name is part of the first save, emails
    are sent by the task worker, and its rate limits count addresses by the
    same keyed hash as ours (consult.infra.ratelimit.address), so no IP address is
    kept in the cache."""

    def save_user(self, request, user, form, commit=True):
        user.display_name = form.cleaned_data.get("display_name", "")
        return super().save_user(request, user, form, commit=commit)

    def render_mail(self, template_prefix, email, context, headers=None):
        return DeferredEmail(super().render_mail(template_prefix, email, context, headers))

    def get_client_ip(self, request) -> str:
        # The address consult.infra.proxies settled from the trusted proxies, never
        # allauth's own reading of X-Forwarded-For.
        return address(request.META.get("REMOTE_ADDR"))
