"""Settings, read from the environment (see the table in README.md).

Every value has a safe default for one machine; a malformed value raises
consult.infra.config.ConfigError, which manage.py and asgi.py turn into one line.
"""

from pathlib import Path

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from consult.infra import config, ratelimit

BASE_DIR = Path(__file__).resolve().parent.parent
# What the platform writes (the local database, files, private documents):
# var/ beside the code unless VAR_DIR says elsewhere.
VAR_DIR = Path(config.env_str("VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = config.secret_key(BASE_DIR)
DEBUG = config.env_bool("DEBUG", False)
ALLOWED_HOSTS = config.env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = config.env_list("CSRF_TRUSTED_ORIGINS", [])

# Form widgets and field groups may be drawn from templates/ like everything else.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

INSTALLED_APPS = [
    "daphne",
    "consult.accounts.admin_site.ConsultAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django.contrib.humanize",
    "channels",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "consult.accounts",
    "consult.notifications",
    "consult.reports",
    "consult.api",
    "consult.opendata",
    "consult.identity",
    "consult.privacy",
    "consult.demo",
    "consult",
    "proposals",
    "discussion",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "consult.accounts.sessions.SessionLifetimeMiddleware",
    "consult.accounts.middleware.StaffSecondFactorMiddleware",
]

ROOT_URLCONF = "consult.urls"
ASGI_APPLICATION = "asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "consult.context_processors.roles",
                "consult.context_processors.notifications",
            ],
            "builtins": ["consult.infra.content_tags"],
        },
    },
]

# --- Data -------------------------------------------------------------------

DATABASES = {
    "default": config.database(
        config.env_str("DATABASE_URL"), default_path=VAR_DIR / "consult.sqlite3"
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Empty means "not configured": `make run` and the test suite always set it,
# starting a private Redis when the environment names none.
REDIS_URL = config.redis_url(config.env_str("REDIS_URL"))
# Redis through Sentinel (deploy/README.md): REDIS_URL then
# gives only the password and database number.
REDIS_SENTINELS = config.redis_sentinels(config.env_str("REDIS_SENTINELS"))
REDIS_SENTINEL_MASTER = config.redis_sentinel_master(config.env_str("REDIS_SENTINEL_MASTER"))
REDIS_SENTINEL_PASSWORD = config.env_str("REDIS_SENTINEL_PASSWORD")
if REDIS_SENTINELS and not REDIS_URL:
    REDIS_URL = f"redis://{REDIS_SENTINEL_MASTER}/0"  # only a name: its host is not used

if REDIS_URL:
    from consult.infra.redis_client import channel_layers_and_cache

    # Redis pub/sub for live events, and the cache (consult/infra/redis_client.py).
    # Sites sharing one Redis keep apart by database number and channel
    # prefix (publish/subscribe ignores database numbers).
    CHANNEL_LAYERS, CACHES = channel_layers_and_cache(
        REDIS_URL,
        REDIS_SENTINELS,
        REDIS_SENTINEL_MASTER,
        REDIS_SENTINEL_PASSWORD,
        prefix=config.env_str("REDIS_CHANNEL_PREFIX") or "consult:asgi",
    )
else:
    # Only for a bare `manage.py` command run by hand: nothing live crosses
    # processes without Redis, and /healthz says so.
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": (
        {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
        if config.env_str("TASK_BACKEND") == "immediate"
        else {"BACKEND": "django_tasks_db.DatabaseBackend"}
    )
}

MEDIA_ROOT = Path(config.env_str("MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Static files are served by WhiteNoise straight from the finders, so there is
# no collectstatic step to forget; a CDN in front caches them.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# The live path, wired once (see consult/infra/live.py).
CONSULT_LIVE_EVENT_SINK = "discussion.live.events.event_append"
CONSULT_LIVE_STANCE_SINK = "discussion.live.tallies.stance_tallies_changed"
CONSULT_LIVE_LAST_SEQ = "discussion.live.events.last_seq"

# "Housing" and "housing" are one topic.
TAGGIT_CASE_INSENSITIVE = True

# --- Accounts ---------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_USER_MODEL_EMAIL_FIELD = "email"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_SIGNUP_FORM_CLASS = "consult.accounts.forms.SignupForm"
ACCOUNT_ADAPTER = "consult.accounts.adapter.AccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[consult] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = config.env_str("SITE_NAME", "consult")

# Single sign-on with a government identity provider over OpenID Connect
# (OIDC_* variables, see docs/sso.md); off when OIDC_SERVER_URL is unset.
SOCIALACCOUNT_PROVIDERS = config.oidc_providers()
SOCIALACCOUNT_ADAPTER = "consult.accounts.sso.SocialAccountAdapter"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_STORE_TOKENS = False
# Signing in through the provider reaches an existing account with the same
# address only when the provider marks the address verified (docs/sso.md).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True

# Verified residents (consult/identity): identities are kept only as a keyed
# hash (by default a key derived from SECRET_KEY; changing it makes every
# stored identity unrecognisable). Document scans wait for review in a private
# folder that is never served.
CONSULT_IDENTITY_KEY = config.env_str("IDENTITY_HASH_KEY", "")
CONSULT_VERIFICATION_METHODS = [
    "consult.identity.methods.document.DocumentCheck",
    "consult.identity.methods.postal.PostalCode",
]
CONSULT_IDENTITY_PRIVATE_DIR = Path(
    config.env_str("IDENTITY_PRIVATE_DIR") or VAR_DIR / "private" / "identity"
)
CONSULT_IDENTITY_SCAN_MAX_BYTES = config.env_int(
    "IDENTITY_SCAN_MAX_BYTES", 5 * 1024 * 1024, minimum=1
)

# Sessions end after this long without a request, and after this long whatever
# happens (seconds); a new session key is issued at every sign-in.
CONSULT_SESSION_IDLE_TIMEOUT = config.env_int("SESSION_IDLE_TIMEOUT", 2 * 3600, minimum=60)
CONSULT_SESSION_MAX_AGE = config.env_int("SESSION_MAX_AGE", 7 * 24 * 3600, minimum=60)
SESSION_COOKIE_AGE = CONSULT_SESSION_MAX_AGE
# Open live sockets are closed within this many seconds of their session ending.
CONSULT_SOCKET_SESSION_CHECK_SECONDS = config.env_int("SOCKET_SESSION_CHECK_SECONDS", 30, minimum=1)
# Live sockets one address may hold open for readers who are not signed in
# (a signed-in person may hold CONSULT_SOCKETS_PER_USER, 12 by default).
CONSULT_SOCKETS_PER_ADDRESS = config.env_int("SOCKETS_PER_ADDRESS", 24, minimum=1)
SESSION_ENGINE = "consult.accounts.session_store"

# Links in emails sent by the task worker, which has no request to ask;
# `manage.py serve` gives its processes the address it serves at when unset.
CONSULT_SITE_URL = config.site_url(config.env_str("SITE_URL", "http://localhost:8000"))

# The privacy page names the controller, a contact, the legal basis and where
# to complain (PRIVACY_* variables): required unless DEBUG, placeholders in a demo.
CONSULT_PRIVACY = config.privacy_notice(debug=DEBUG)

# Staff may not act (admin, or any write) until they have a second factor.
CONSULT_STAFF_REQUIRE_MFA = config.env_bool("STAFF_REQUIRE_MFA", not DEBUG)

# --- Email ------------------------------------------------------------------

EMAIL_BACKEND = config.env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
if EMAIL_BACKEND == SMTP_BACKEND:
    _smtp = {
        "host": config.env_str("EMAIL_HOST", "localhost"),
        "port": config.env_int("EMAIL_PORT", 25, minimum=1),
        "username": config.env_str("EMAIL_HOST_USER"),
        "password": config.env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": config.env_bool("EMAIL_USE_TLS", False),
        "use_ssl": config.env_bool("EMAIL_USE_SSL", False),
        "timeout": 20,
    }
    if _smtp["use_tls"] and _smtp["use_ssl"]:
        raise config.ConfigError("EMAIL_USE_TLS", "cannot be true together with EMAIL_USE_SSL")
    MAILERS = {"default": {"BACKEND": SMTP_BACKEND, "OPTIONS": _smtp}}
else:
    MAILERS = {"default": {"BACKEND": EMAIL_BACKEND}}
del EMAIL_BACKEND
DEFAULT_FROM_EMAIL = config.env_str("DEFAULT_FROM_EMAIL", "consult <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Language and time ------------------------------------------------------

LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LANGUAGE_CODE = config.env_str("DEFAULT_LANGUAGE", "en").lower()
if LANGUAGE_CODE not in {code for code, _name in LANGUAGES}:
    raise config.ConfigError("DEFAULT_LANGUAGE", f"must be en or zh-hans, got {LANGUAGE_CODE!r}")
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = config.env_str("TIME_ZONE", "UTC")
USE_TZ = True


def _check_time_zone(name: str) -> None:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise config.ConfigError("TIME_ZONE", f"unknown time zone {name!r}") from None


_check_time_zone(TIME_ZONE)

# --- Pre-moderation -----------------------------------------------------------

# The deployment's rules for holding new comments until a moderator approves
# them; each consultation may add stricter ones (discussion/moderation/premoderation.py).


def _blocked_terms(path: str) -> dict[str, list[str]]:
    """{language: [term, ...]} from a JSON file, read once at start-up so that a
    typo stops the server with one line instead of letting every comment through."""
    import json

    setting = "PREMODERATION_BLOCKED_TERMS_FILE"
    if not path:
        return {}
    file = Path(path) if Path(path).is_absolute() else BASE_DIR / path
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise config.ConfigError(setting, f"cannot read {str(file)!r} ({exc.strerror})") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise config.ConfigError(setting, f"{str(file)!r} is not valid JSON ({exc})") from None
    codes = {code for code, _name in LANGUAGES}
    shape = "an object of language codes, each with a list of terms"
    if not isinstance(data, dict):
        raise config.ConfigError(setting, f"must hold {shape}")
    terms = {}
    for language, values in data.items():
        if language not in codes:
            raise config.ConfigError(
                setting, f"unknown language {language!r}; use {', '.join(sorted(codes))}"
            )
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise config.ConfigError(setting, f"must hold {shape}")
        terms[language] = [" ".join(v.split()) for v in values if v.strip()]
    return terms


CONSULT_PREMODERATION = {
    "hold_all": config.env_bool("PREMODERATION_HOLD_ALL", False),
    "min_account_age_days": config.env_int("PREMODERATION_MIN_ACCOUNT_AGE_DAYS", 0),
    # Empty: no limit on links.
    "max_links": (
        config.env_int("PREMODERATION_MAX_LINKS", 0)
        if config.env_str("PREMODERATION_MAX_LINKS")
        else None
    ),
    "blocked_terms": _blocked_terms(config.env_str("PREMODERATION_BLOCKED_TERMS_FILE")),
}

# --- Security ---------------------------------------------------------------

# HTTPS: is the site reached over TLS? Turns on secure cookies, HSTS and the
# redirect to https. Off only for local demos and plain-HTTP test servers.
HTTPS = config.env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = config.env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = config.env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading is a commitment for the whole domain that only its owner can
# make; without it, the deployment checklist's reminder is noise.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
BEHIND_PROXY = config.env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
# The client's address is the X-Forwarded-For entry this many places from the
# right, believed only from these networks (consult/infra/proxies.py); forwarding
# headers from anyone else are dropped before Django or a consumer sees them.
CONSULT_TRUSTED_PROXY_HOPS = config.env_int(
    "TRUSTED_PROXY_HOPS", int(BEHIND_PROXY), minimum=int(BEHIND_PROXY)
)
CONSULT_TRUSTED_PROXIES = config.env_networks("TRUSTED_PROXIES", ["127.0.0.0/8", "::1"])
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Attachments larger than this are refused with a message (10 MiB by default).
CONSULT_ATTACHMENT_MAX_BYTES = config.env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
# Documents attached to form responses (discussion/submissions/documents.py):
# the largest file, how many per response, the deployment's virus scanner (a
# dotted path to a callable; none by default), and how much text is read.
CONSULT_RESPONSE_DOCUMENT_MAX_BYTES = config.env_int(
    "RESPONSE_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1
)
CONSULT_RESPONSE_DOCUMENTS_MAX = config.env_int("RESPONSE_DOCUMENTS_MAX", 5)
CONSULT_RESPONSE_DOCUMENT_SCANNER = config.env_str("RESPONSE_DOCUMENT_SCANNER") or None
CONSULT_RESPONSE_DOCUMENT_TEXT_MAX_CHARS = config.env_int(
    "RESPONSE_DOCUMENT_TEXT_MAX_CHARS", 200_000, minimum=1
)

# --- The API ------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["consult.api.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["consult.api.throttling.ApiRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "consult.api.base.ApiSchema",
    "EXCEPTION_HANDLER": "consult.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "consult API",
    "DESCRIPTION": (
        "Open data from public consultations: consultations, their versions and sections, "
        "public comments (authors as pseudonyms), stance and vote counts, official responses, "
        "published reports, and response forms with their counts and the responses published "
        "as their respondents chose. Reading needs no account; writing (comments, votes, "
        "stances, one's own form response) needs a personal access token."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ConsultationStatus": "consult.api.serializers.CONSULTATION_STATUSES",
        "ResponseStatus": "discussion.models.ResponseStatus",
        "VoteValue": "discussion.models.VoteValue",
        "StanceValue": "proposals.models.StanceValue",
        "QuestionKind": "proposals.questionnaire.models.QuestionKind",
        "RespondentKind": "discussion.submissions.models.RespondentKind",
        "FormResponseStatus": "discussion.submissions.models.ResponseStatus",
        "Channel": "discussion.submissions.models.Channel",
        "Publication": "discussion.submissions.models.Publication",
    },
}
# Requests per window ("count/seconds"): per token, per address without one,
# and per address whatever the token (the defaults: consult.infra.ratelimit).
CONSULT_API_RATES = {
    "anonymous": config.env_list("API_RATE_ANONYMOUS", ratelimit.DEFAULT_RATES["api"]["anonymous"]),
    "token": config.env_list("API_RATE_TOKEN", ratelimit.DEFAULT_RATES["api"]["token"]),
    "ip": config.env_list("API_RATE_IP", ratelimit.DEFAULT_RATES["api"]["ip"]),
}
# Pseudonyms in open data are keyed with this (by default, a key derived from
# SECRET_KEY): changing it gives everyone new pseudonyms.
CONSULT_PSEUDONYM_KEY = config.env_str("PSEUDONYM_KEY", "")

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    # 'self' covers same-origin ws:// and wss:// in current browsers.
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- Logging ----------------------------------------------------------------

LOG_LEVEL = config.env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise config.ConfigError(
        "LOG_LEVEL", f"must be DEBUG, INFO, WARNING or ERROR, got {LOG_LEVEL!r}"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # Email and IP addresses are masked in every record, whoever logs them.
    "filters": {"personal": {"()": "consult.infra.logs.RedactPersonalData"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["personal"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "daphne": {"level": "WARNING"},
        "django.channels.server": {"level": "WARNING"},
        # Django's own handlers (its console under DEBUG, mail to admins) go:
        # its records reach the filtered console through the root.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
    },
}
