pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task a : bash { command = "echo a" } }
    task b : bash { command = "echo b" }
}
