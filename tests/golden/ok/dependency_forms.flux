pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task a : bash { command = "true" }
    task b : bash { command = "true" }
    task c : bash { command = "true" }
    task d : bash { command = "true" }
    task e : bash { command = "true" }
    a >> b >> c
    [a, b] >> d
    a >> [d, e]
    [c, d] >> [e]
    [b] >> e
}
