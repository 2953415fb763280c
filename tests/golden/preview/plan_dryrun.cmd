dry-run _design.plan.yaml --date 2026-11-01T00:00:00Z
