dry-run _design.flux --date 2026-11-01T00:00:00Z
