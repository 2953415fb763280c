pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    {% for k, v in ["a", "b"] %}
    task t_{{ k }} : bash { command = "true" }
    {% endfor %}
}
