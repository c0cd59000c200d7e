"""Deprecation fixes: which codemods apply to a repository, and running them over its files."""
