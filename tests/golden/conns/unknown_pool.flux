pipeline unknown_pool {
    schedule = "@daily"
    start = "2026-11-01T00:00:00Z"
    pool = "nightly"
    task a : bash {
        command = "true"
        pool = "elt"
    }
    task b : bash {
        command = "true"
        pool = "db"
    }
}
