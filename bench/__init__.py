"""The load benchmark: `python -m bench.run`."""
