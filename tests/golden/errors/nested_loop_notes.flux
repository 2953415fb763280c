pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    {% for a in ["x", "y"] %}
    {% for b in range(2) %}
    task t_{{ a }}_{{ b }} : bash { command = "echo {{ nope }}" }
    {% endfor %}
    {% endfor %}
}
