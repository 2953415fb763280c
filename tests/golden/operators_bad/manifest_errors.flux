# A manifest's mistakes are reported at their place in operator.yaml, with
# the line, a caret and help, before the pipeline's.
pipeline uses_bad {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"

    task t : bad_one {
        count = 1
    }
}
