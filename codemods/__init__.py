"""libcst codemods, one module per rule, collected by `codemods.registry`."""
