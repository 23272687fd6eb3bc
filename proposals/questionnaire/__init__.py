"""The response form of a consultation: its questions, built by officials,
published with a version and frozen once answered."""
