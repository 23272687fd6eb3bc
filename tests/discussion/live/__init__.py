"""The live path: sockets, events, replay and presence."""
