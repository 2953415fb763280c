pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    params {
        list = ["a", "b"]
    }
    {% for x in params.list %}
    task t_{{ x }} : bash { command = "true" }
    {% endfor %}
}
