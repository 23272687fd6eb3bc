"""Demo data for `make run`: a department tree, consultations and a crowd."""
