pipeline h {
    schedule = "@hourly"
    start    = "2026-10-01T00:00:00Z"
    timezone = "Europe/Paris"
    task a : bash { command = "echo {{ ts }}" }
}
