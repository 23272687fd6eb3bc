"""The official response report: drafted from the summary (`drafting`),
edited (`editing`), shown as a snapshot (`snapshots`), published once
(`publishing`), every figure traced to its comments (`evidence`)."""
