"""Officials answering the public, one comment, a section or a theme at a time."""
