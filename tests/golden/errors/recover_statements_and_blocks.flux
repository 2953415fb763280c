{% set xs = ["a", "b"] %}
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    {% for x in [1, %}
    task t_{{ x }} : bash { command = "x" }
    {% endfor %}
    {% if xs == %}
    retries = 1
    {% else %}
    retries = 2
    {% endif %}
    {% set y %}
    task u : bsh { command = "u" }
}
pipeline {
    schedule = "@daily"
}
pipeline q {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task a : bash {
        command = "a"
        env = [{ A = "1" }
    }
pipeline r {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task z : bsh { command = "z" }
}
