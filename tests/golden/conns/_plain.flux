pipeline plain {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task t : bash { command = "true" }
}
