"""Slow PostgreSQL statements, proven with HypoPG hypothetical indexes, fixed by a migration.

One concern per module: `access` (the database adapter and its checks), `statements` (what a
normalised statement filters, sorts and joins on, parsed with PostgreSQL's own parser),
`evidence` (pg_stat_statements, parameters, plans, table statistics), `advisor` (hypothetical
index candidates and the choice), `models` (the Django or SQLAlchemy model owning a table),
`migrations` (the migration file), `history` (snapshots and forecasts), `proposals` and
`report` (what the user sees).
"""
