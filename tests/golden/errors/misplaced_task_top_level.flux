task a : bash { command = "true" }

pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task b : bash { command = "true" }
}
