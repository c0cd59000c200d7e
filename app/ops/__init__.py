"""Production operations: trends of monitored metrics read from Prometheus."""
