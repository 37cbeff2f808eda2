"""AWS Step Functions: executing CloudFormation-made state machines, AWS's error names, timeouts."""
