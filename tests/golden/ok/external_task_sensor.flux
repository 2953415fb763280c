pipeline upstream {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task done : bash { command = "true" }
}

pipeline downstream {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task wait_upstream : external_task_sensor {
        pipeline = "upstream"
        task = "done"
        offset = 1d
    }
}
