"""What Ground Truth refuses: request constraints of the service model and its documented rules."""
