pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    {% fro x in [1, 2] %}
    task a_{{ x }} : bash { command = "true" }
    {% endfor %}
}
