"""The versioned JSON API under /api/v1/: public reads for everyone, writes
with a personal access token, through the same services and limits as the web."""
