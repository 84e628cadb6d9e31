"""The demo: a fictional collaboration simulated, imported, coded and reported."""
