pipeline p {
    schedule = "@daily"
    start = "yesterday"
    task a : bash { command = "true" }
}
