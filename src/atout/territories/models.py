"""Models of the territories app."""
