"""Open data: what of a consultation may leave the platform, and in which shapes.

`public` says which rows are public (one definition for the API, the bulk
downloads and the Polis export); `pseudonyms` turns people into stable
per-consultation pseudonyms that cannot be linked to a name.
"""
