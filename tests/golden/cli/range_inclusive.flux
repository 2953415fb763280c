pipeline d {
    schedule = "@daily"
    start    = "2026-11-20T00:00:00Z"
    end      = "2026-12-20T00:00:00Z"
    task a : bash { command = "true" }
}
