"""Specs shared by the Lambda code and the CDK app: tables, queues, environment names, metrics, messages."""
