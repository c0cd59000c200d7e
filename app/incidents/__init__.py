"""Incidents: alerts from Alertmanager turned into one incident per alert group, with a
timeline (`app.incidents.alertmanager` reads the webhook, `app.store.incidents` keeps them)."""
