pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    {% for i in range(100000000) %}
    task t_{{ i }} : bash { command = "true" }
    {% endfor %}
}
