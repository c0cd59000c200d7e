"""libcst codemods, one module per rule, collected by `codemods.registry`.

Each rule module holds one `codemods.base.Rule` subclass with its metadata (`RuleInfo`: a
stable id, ``MB1xx`` for the standard library and ``MB2xx`` for third-party libraries, a
summary, what it replaces and with what, where it applies, since when the old API is
deprecated and when it is removed, its safety class and the upstream link) and its libcst
hooks. `codemods.rename.RenameRule` covers rules that only move a name; the rest use the
helpers in `codemods.helpers` (qualified names, scopes, receiver types, import references).

How a file is processed:

1. `codemods.text_filters`: each rule's needles (or its sharper text test) are looked for in
   the raw bytes, from the metadata alone (`codemods.info`, listed by `codemods.catalog`, which
   needs neither the rule classes nor libcst); `codemods.prefilter` surveys the files that pass
   with the stdlib ``ast`` for the qualified names a rule needs, also from the metadata alone.
2. `codemods.engine`: the file is parsed once with libcst, metadata is resolved once, and all
   remaining rules run in one pass (`Combined`); imports are then added and removed with
   libcst's ``AddImportsVisitor``/``RemoveImportsVisitor``. The output must ``compile()``,
   or the file is left untouched and the failure reported.
3. `app.deprecations.runner` adds files, worker processes and the on-disk cache around it;
   `app.deprecations.worker` is its libcst side, imported only when some file is not cached.

Adding a rule: a new module with one `Rule` subclass, one line in `codemods.registry.RULES`,
and before/after tests with negative cases in ``tests/codemods/``; then ``python -m
codemods.catalog`` rewrites the shipped catalog snapshot (any edit under ``codemods/`` does: a
test fails until it is current). A sharper text pre-filter than needles is a function in
`codemods.text_filters`, named by ``RuleInfo.text_filter``; a sharper ``ast`` pre-filter than
``uses``/``attrs`` is one in `codemods.prefilter`, named by ``RuleInfo.ast_filter``. Neither
may import libcst.
"""
