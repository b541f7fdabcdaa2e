"""The composition root: settings, wiring, the ``groundwork`` CLI (and later the API)."""
