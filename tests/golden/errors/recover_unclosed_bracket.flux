pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    tags = ["a", "b"
    retries = 2
    task a : bash {
        command = "echo a"
        env = { A = "1", B = ("2" }
    }
    task b : bsh { command = "echo b" }
    a >> b )
}
