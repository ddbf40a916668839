"""The operator's statistics (埋点): counted in memory on the request path, written to the database in
batches off it (collector.py), exported per day (export.py) and pruned after ``stats_retention_days``.
The on-call team's Prometheus metrics are in metrics.py.  docs/operator.md lists every field."""
