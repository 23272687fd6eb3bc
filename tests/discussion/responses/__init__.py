"""Official responses."""
