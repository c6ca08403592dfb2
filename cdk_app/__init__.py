"""The CDK application: stage config, build_app(), releases and the local runner."""
