pipeline p {
    schedule = "@daily"
    start = "2026-13-01T00:00:00Z"
    task a : bash { command = "true" }
}
