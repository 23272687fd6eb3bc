"""Reports, the queue, curation, pre-moderation, appeals, sanctions and the logs."""
