"""The package index: release data for dependencies (PEP 691 JSON with PEP 700 fields)."""
