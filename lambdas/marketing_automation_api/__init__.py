"""marketing_automation_api: the marketing scans (API and daily schedule) and marketing analytics."""
