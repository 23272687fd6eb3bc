"""The ASGI entry point, served by Daphne: `daphne asgi:application`.

The client's address is settled first, from the trusted proxies
(consult/infra/proxies.py). Then HTTP goes to Django; WebSockets go through an
Origin check against ALLOWED_HOSTS and the session-based auth stack before
any consumer runs.
"""

import gc
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")

from consult.infra.config import ConfigError

try:
    from django.core.asgi import get_asgi_application

    django_asgi_app = get_asgi_application()
except ConfigError as error:
    sys.exit(f"consult: configuration error: {error}")

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator

from consult.infra.proxies import ClientAddressMiddleware
from consult.routing import websocket_urlpatterns

application = ClientAddressMiddleware(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            ),
        }
    )
)

# Everything loaded so far lives as long as the process: keep it out of the
# collector's full passes, which otherwise pause every socket for a moment.
gc.freeze()
# A live server makes many short-lived objects per frame and holds thousands
# of sockets: collect the young generation less often, the old one rarely.
gc.set_threshold(50_000, 20, 100)
