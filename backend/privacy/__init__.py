"""The rights of access and erasure over the backend's stores (issue 14): lookup, export, erasure."""
