pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task a : bash {
        command = "env"
        env = { A = "1", B = "2", A = "3" }
    }
}
