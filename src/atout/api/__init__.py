"""REST API (django-ninja) under /api/v1/, with per-user tokens."""
