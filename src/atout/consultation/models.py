"""Models of the consultation app."""
