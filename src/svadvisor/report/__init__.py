"""Pipeline reports: the whole of a scored sheet at a glance, for the people who plan
commissioning (figures first; the charts and the page are built on them)."""
