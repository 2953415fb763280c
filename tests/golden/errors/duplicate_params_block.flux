pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    params {
        a = 1
    }
    params {
        b = 2
    }
    task t : bash { command = "true" }
}
