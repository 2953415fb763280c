pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    retry_delay = 1x
    task a : bash { command = "true" }
}
