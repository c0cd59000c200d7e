"""Dead code: a repository-wide reference index, guards, confidence, git evidence, removal."""
