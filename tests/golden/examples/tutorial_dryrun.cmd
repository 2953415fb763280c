dry-run ../../../examples/tutorial/tutorial.flux --date 2026-11-02
