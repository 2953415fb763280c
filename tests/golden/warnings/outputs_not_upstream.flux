pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task count : bash { command = "true" }
    task report : bash { command = "echo {{ tasks.count.outputs.rows | shquote }}" }
}
