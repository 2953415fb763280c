pipeline d {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    end      = "2026-12-01T00:00:00Z"
    task a : bash { command = "echo {{ ds }}" }
}
