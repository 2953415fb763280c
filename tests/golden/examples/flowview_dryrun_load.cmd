dry-run ../../../examples/flowview/flowview.flux --pipeline flowview_load --date 2026-11-02T10:00:00Z
