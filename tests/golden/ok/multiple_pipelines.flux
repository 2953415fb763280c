pipeline first {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task a : bash { command = "true" }
}

pipeline second {
    schedule = "@hourly"
    start = "2026-01-01T00:00:00Z"
    task a : file_sensor { path = "in/{{ ds }}/_DONE" }
}
