"""Data-subject requests in the console: export and erasure with maker-checker (privacy/rights.py does the work)."""
