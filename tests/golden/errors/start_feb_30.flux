pipeline p {
    schedule = "@daily"
    start = "2026-02-30T00:00:00Z"
    task a : bash { command = "true" }
}
