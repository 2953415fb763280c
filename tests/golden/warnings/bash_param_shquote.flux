pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    params {
        name = "world"
    }
    task a : bash { command = "echo {{ params.name | shquote }}" }
}
