"""A rule pack checking itself: its own tests, evaluation against real decisions, diffs between
packs, and lint.
"""
