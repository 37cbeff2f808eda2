"""Amazon EventBridge: rule targets delivered as AWS does, and lost events."""
