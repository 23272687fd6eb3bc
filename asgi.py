"""The ASGI entry point, served by Daphne: `daphne asgi:application`.

HTTP goes to Django; WebSockets go through an Origin check against
ALLOWED_HOSTS and the session-based auth stack before any consumer runs.
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")

from consult.config import ConfigError  # noqa: E402

try:
    from django.core.asgi import get_asgi_application

    django_asgi_app = get_asgi_application()
except ConfigError as error:
    sys.exit(f"consult: configuration error: {error}")

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from consult.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
