pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    {% for t in ["a", "b"] %}
    task load_{{ t }} : bash { command = "echo {{ t | uper }}" }
    {% endfor %}
}
