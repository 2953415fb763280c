pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    retry_delay = 500ms
    task a : bash {
        command = "true"
        timeout = 1h30m
        retry_delay = 30s
        max_retry_delay = 2d
    }
    task w : time_sensor {
        until = "{{ interval_end | add(5m) }}"
        poke_interval = 1m
        exponential_backoff = true
        max_wait = 1w
    }
}
