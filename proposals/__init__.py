"""Draft policies: proposals, versions, sections, attachments, stances, follows."""
