# a name that is "." or ".." would name a directory in the paths of logs and journals
pipeline p {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    task {{ ".." }} : bash { command = "true" }
}
