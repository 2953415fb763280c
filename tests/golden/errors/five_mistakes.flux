pipeline p {
    schedule = "0 0 * * 8"
    start = "2026-01-01T00:00:00Z"
    params {
        topic = "events"
    }
    task extract : bsh { command = "true" }
    task load : bash {
        command = "echo {{ params.topic | shquote }} {{ dss }}"
        retires = 2
    }
    extrct >> load
}
