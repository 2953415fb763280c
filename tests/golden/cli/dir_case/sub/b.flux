pipeline b {
    schedule = "@hourly"
    start = "2026-01-01T00:00:00Z"
    task x : bash { command = "true" }
}
