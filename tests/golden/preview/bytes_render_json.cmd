render _bytes.flux t --date 2026-11-01 --format json
