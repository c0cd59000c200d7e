"""What a dependency update changes in the repository: API diff, call sites, migration."""
