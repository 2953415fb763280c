dry-run ../../../examples/provenance/provenance.flux --date 2026-11-02T10:00:00Z
