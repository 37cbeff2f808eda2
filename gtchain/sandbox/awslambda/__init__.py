"""AWS Lambda without Docker: functions run in worker processes from their deployed code."""
