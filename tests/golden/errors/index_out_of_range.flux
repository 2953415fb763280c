{% set tables = ["a", "b"] %}
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task t_{{ tables[5] }} : bash { command = "true" }
}
