"""Benchmarks: each prints its figures and appends them to bench/RESULTS.md (see `make bench`)."""
