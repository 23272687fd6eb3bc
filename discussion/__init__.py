"""Threaded comments, votes, moderation, the event log and the live WebSocket path."""
