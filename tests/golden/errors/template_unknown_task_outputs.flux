pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task extract : bash { command = "true" }
    task load : bash { command = "echo {{ tasks.extrct.outputs.rows }}" }
    extract >> load
}
