"""The shop's domain package, shared by every Lambda function and by the CDK app's contracts."""
