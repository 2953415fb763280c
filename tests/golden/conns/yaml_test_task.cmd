test _names.flux q --connections _tab.yaml --date 2026-11-01
