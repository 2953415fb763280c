pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    params {
        name = "world"
        limit = 10
        ratio = 0.5
        enabled = true
        wait = 30s
        tables = ["a", "b"]
    }
    task a : bash { command = "echo {{ params.name | shquote }} {{ params.limit | string | shquote }}" }
}
