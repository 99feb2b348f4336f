"""Throughput and query-budget benchmarks of bazary against a raw-Django baseline.

Run with ``nox -s bench`` (see docs/performance.md). Nothing here is imported
by the library or its tests.
"""
