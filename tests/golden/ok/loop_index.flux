pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    {% for t in ["a", "b", "c"] %}
    task step_{{ loop.index }}_{{ t }} : bash { command = "echo {{ loop.index0 }}" }
    {% endfor %}
    step_1_a >> step_2_b >> step_3_c
}
