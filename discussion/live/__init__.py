"""The live path: the event log, the hub, tallies, presence and the consumers."""
