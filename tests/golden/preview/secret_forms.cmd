dry-run _secret_forms.flux --connections _secret_forms.yaml --date 2026-11-01
