render _design.flux summary --date 2026-11-01T05:00:00
