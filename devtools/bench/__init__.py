"""`make bench`: seed synthetic workspaces, run the production web server against them and
measure it (docs/performance.md)."""
