"""WSGI entry point, served by gunicorn (see the Makefile's ``demo`` target).

The URL configuration is loaded here rather than on the first request: it imports the analysis
stack (numpy, pandas, scikit-learn), and with ``gunicorn --preload`` this happens once in the master
before the workers fork, so no visitor waits for it.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atout.settings")
application = get_wsgi_application()

from django.urls import get_resolver  # noqa: E402  (needs the settings configured above)

get_resolver().url_patterns  # noqa: B018 - imported for its side effect: warm the whole URLconf
