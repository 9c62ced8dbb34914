def samples(process):
    return {"opendata:resource": {"slug": process.slug, "resource": "territories"}}
