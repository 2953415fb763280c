pipeline nightly {
    schedule = "0 2 * * *"
    start    = "2027-03-01T00:00:00"
    timezone = "Europe/Paris"
    task t : bash { command = "echo {{ ds }} {{ ts }}" }
}
