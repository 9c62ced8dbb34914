"""WSGI entry point, served by gunicorn (see the Makefile's ``demo`` target).

The URL configuration is loaded here rather than on the first request: it imports the analysis
stack (numpy, pandas, scikit-learn), and with ``gunicorn --preload`` this happens once in the master
before the workers fork, so no visitor waits for it. Django's system checks run here too (``atout``'s
own commands skip them to start quickly): an instance with an error in its configuration refuses to
serve, as ``runserver`` would.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atout.settings")
application = get_wsgi_application()

from django.core.management import call_command  # noqa: E402  (needs the settings configured above)
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - imported for its side effect: warm the whole URLconf
call_command("check")  # raises SystemCheckError on an error; warnings are printed on stderr
