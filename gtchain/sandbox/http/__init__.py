"""The HTTP layer in front of every emulated service: request parsing, routing, injected errors."""
