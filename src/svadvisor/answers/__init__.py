"""Answers: validating them against the pack, answers files, decision records, and the one
parser for money, dates and ranges.
"""
