"""Keeping discussion usable and fair: reports, the queue, curation,
pre-moderation, appeals, sanctions and the public moderation log."""
