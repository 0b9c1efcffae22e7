"""Scoring: points, the ranking, confidence, sensitivity, thresholds, regimes and CPV codes:
`assess` and its result.
"""
