{% set tables = ["a", "b"] %}
{% set first = tabels[0] %}
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task t_{{ first }} : bash { command = "true" }
}
