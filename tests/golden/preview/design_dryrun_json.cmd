dry-run _design.flux --from 2026-11-01T00:00:00Z --to 2026-11-01T02:00:00Z --param topic=clicks --format json
