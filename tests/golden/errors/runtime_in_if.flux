pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    params {
        full = true
    }
    {% if params.full %}
    task a : bash { command = "true" }
    {% endif %}
}
