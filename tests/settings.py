"""Settings of the test suite: atout's settings with a fast password hasher.

Django's default hasher (PBKDF2, a million iterations) is slow on purpose; tests create and sign in
users by the hundred, so they hash with MD5 — never used outside the suite. Processes started by the
tests (``atout`` commands, gunicorn) run with ``atout.settings`` like a real instance.
"""

from atout.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
