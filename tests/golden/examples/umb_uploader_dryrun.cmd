dry-run ../../../examples/umb_uploader/umb_uploader.flux --date 2026-11-02T10:00:00Z
