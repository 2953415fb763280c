dry-run _future.plan.yaml
