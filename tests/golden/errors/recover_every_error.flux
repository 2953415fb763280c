pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task a : bash {
        command = "echo a" "b"
        retries = 2
    }
    task b : bash { command = "echo b" retries = 3 }
    task c bash { command = "c" }
    task d : bash {
        command = "echo d"
        env = { A = "1", B = }
    }
    task e : bash { command = "echo e", }
    a >> b >>
    task f : sqlite { conn = "local" }
}
pipeline q {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task x : bash { command = ( }
    task y : bsh { command = "y" }
}
