"""Single sign-on with a government identity provider over OpenID Connect,
through django-allauth (configured from OIDC_* variables: consult.config)."""

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    pass
