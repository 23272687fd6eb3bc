"""Threads, votes, the text of a comment, and where a comment goes."""
