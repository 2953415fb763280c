pipeline p {
    schedule = "@daily"
    task a : bash { command = "true" }
}
