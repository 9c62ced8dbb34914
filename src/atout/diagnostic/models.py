"""Models of the diagnostic app."""
