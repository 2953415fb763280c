pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task a : bash {
        command = "true"
        shell = zsh
    }
    task b : bash {
        command = "true"
        shell = "sh"
    }
    task c : bash {
        command = "true"
        shell = fish
    }
}
