pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task start_all : bash { command = "true" }
    {% for t in ["x", "y"] %}
    task step_{{ t }} : bash { command = "true" }
    start_all >> step_{{ t }}
    {% endfor %}
    step_y >> start_all
}
