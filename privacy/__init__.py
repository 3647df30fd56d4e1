"""Privacy: redaction at rest, retention, export and erasure, and the scan that measures them (issue 14)."""
