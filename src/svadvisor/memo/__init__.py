"""Recommendation memos: rendering, writing and replaying the decision record."""
