"""Models of the fieldwork app."""
