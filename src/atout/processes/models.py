"""Models of the processes app."""
