"""What every domain builds on: settings, observability, DynamoDB/Redis/SQS access, cache, limits."""
