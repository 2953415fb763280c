pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    {% for h in range(0, 24, 6) %}
    task hour_{{ h }} : bash { command = "echo {{ h }}" }
    {% endfor %}
    hour_0 >> hour_6 >> hour_12 >> hour_18
    {% for i in range(3) %}
    task n_{{ i }} : bash { command = "true" }
    {% endfor %}
    {% for i in range(1, 3) %}
    n_{{ i - 1 }} >> n_{{ i }}
    {% endfor %}
}
