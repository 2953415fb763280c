dry-run _missing_conn.flux --connections _conns.yaml --date 2026-11-01
