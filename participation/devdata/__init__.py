"""Data for development, demos and benchmarks; not a service: nothing in the app imports it.

- demo:  `flask demo-data`, the small living demo for `make run` and the browser tests;
- scale: `flask seed-scale`, realistic bulk data for load tests and `make bench`.
"""
