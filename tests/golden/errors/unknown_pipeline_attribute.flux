pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    max_active_run = 2
    task a : bash { command = "true" }
}
