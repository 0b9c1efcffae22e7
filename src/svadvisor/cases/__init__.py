"""The case library: loading real case studies, and which of them an assessment resembles."""
