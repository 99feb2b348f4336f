"""Raw-Django views (no DRF) serving the same pages as the catalog and auth API:
``.values()`` rows, a JSON encoder, the same SQL filters. The practical limit."""
