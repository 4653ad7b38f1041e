"""Touchbase benchmarks: every figure next to its floor, measured in the same run.

Run with `make bench` (full sizes, about 20 minutes on 2 cores) or `make bench-quick`
(tiny sizes, under a minute). See benchmarks/README.md for how to read the table.
"""
