"""Models of the opinion app."""
