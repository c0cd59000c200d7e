"""Repository health: metrics, debt items, score, history and reports."""
