pipeline p {
    schedule = "*/0 * * * *"
    start = "2026-01-01T00:00:00Z"
    task a : bash { command = "true" }
}
