"""The rule pack: its schema, conditions, loading (with file:line:column for every problem),
sources, glossary and the between-runs cache.
"""
