"""URL arguments of the diagnostic pages for the permission matrix (tests/test_permissions.py)."""


def samples(process):
    indicator = {"slug": process.slug, "code": "unemployment_rate"}
    return {"diagnostic:indicator": indicator, "diagnostic:indicator_csv": indicator}
