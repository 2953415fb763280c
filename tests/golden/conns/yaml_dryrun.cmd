dry-run _names.flux --connections _keys.yaml --date 2026-11-01
