pipeline exports {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task missing : bash { command = "echo {{ conn.nowhere.host }}" }
}
