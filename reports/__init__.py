"""Reports: inspect logs to tables, statistics, plots and report.md / report.html / summary.json."""
