"""The ground floor: what knows no domain.

Configuration from the environment, the Redis client and the private Redis,
the cache, rate limits, mail, logs, health, the file-type sniffer, Markdown
and sanitising, names, spreadsheet-safe cells, the socket seam, and the
process supervisor behind `make run`. Kept free of Django imports so that
`python -m consult.infra.run` can start the private Redis before Django reads
its settings.
"""
