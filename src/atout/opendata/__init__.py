"""Open data: a Frictionless data package per process."""
