"""The health memory: code metrics, debt items, the health score and its history (issue #13)."""
