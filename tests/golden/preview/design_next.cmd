next _design.flux -n 4 --after 2026-11-01T00:00:00Z
