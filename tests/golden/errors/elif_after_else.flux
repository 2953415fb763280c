{% set n = 2 %}
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    {% if n == 1 %}
    task a : bash { command = "true" }
    {% else %}
    task b : bash { command = "true" }
    {% elif n == 2 %}
    task c : bash { command = "true" }
    {% endif %}
}
