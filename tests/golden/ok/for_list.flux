{% set tables = ["users", "orders", "items"] %}
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task begin : bash { command = "true" }
    {% for t in tables %}
    task load_{{ t }} : bash { command = "echo {{ t }}" }
    begin >> load_{{ t }}
    {% endfor %}
}
