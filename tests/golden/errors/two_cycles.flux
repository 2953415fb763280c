pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task a : bash { command = "true" }
    task b : bash { command = "true" }
    task c : bash { command = "true" }
    a >> b >> a
    c >> c
}
