pipeline s {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task wait : file_sensor { path = "no-such-file-{{ ds }}.txt" }
}
