pipeline w {
    schedule = "0 0 * * 0"
    start    = "2026-11-01T00:00:00Z"
    task a : bash { command = "true" }
}
