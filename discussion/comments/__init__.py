"""Threaded comments and their votes: where a comment goes, decided once."""
