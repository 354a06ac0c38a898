"""Pre-flight: every link in a form checked before hours are spent training on it."""
