pipeline p {
    schedule = "every 15 minutes"
    start = "2026-01-01T00:00:00Z"
    task a : bash { command = "true" }
}
