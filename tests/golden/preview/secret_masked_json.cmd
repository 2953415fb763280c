dry-run _secret.flux --connections _conns.yaml --date 2026-11-01 --format json
