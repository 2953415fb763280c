{% set unused = 1 %}
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    params {
        name = "x"
    }
    task a : bash { command = "echo {{ params.name }}" }
    task b : bash { comand = "true" }
}
