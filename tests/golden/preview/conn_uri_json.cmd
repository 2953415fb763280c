dry-run _conn_uri.flux --connections _conn_uri.yaml --date 2026-11-01 --format json
