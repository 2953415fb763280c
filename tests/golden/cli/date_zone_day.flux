pipeline p {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00"
    timezone = "Europe/Paris"
    task a : bash { command = "echo {{ interval_start }}" }
}
