"""The service side: the wiring of one process (store, queue, GitHub App client, event
context, job handlers) and the scan job the queue runs."""
