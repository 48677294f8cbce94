"""fpulab-report: renders fpulab logs as an HTML page and Markdown, and compares runs.

Logs are read only through tools/fpulab-log --json (docs/output.md); see docs/report.md.
"""
