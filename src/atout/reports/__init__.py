"""Reports rendered to HTML and PDF (WeasyPrint): diagnostic, sub-territory fact sheet, monitoring."""
