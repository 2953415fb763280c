pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task fixed : file_sensor {
        path = "/data/{{ ds }}/ready"
        poke_interval = 30s
        max_wait = 5m
    }
    task off : file_sensor {
        path = "/data/{{ ds }}/ready"
        exponential_backoff = false
        max_wait = 5m
    }
    task growing : file_sensor {
        path = "/data/{{ ds }}/ready"
        exponential_backoff = true
        max_wait = 5m
    }
}
