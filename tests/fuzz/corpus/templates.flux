{% set names = ["a", "b", "c"] %}
{% macro pair(x) %}
task first_{{ x }} : bash { command = "echo {{ x | upper }}" }
task second_{{ x }} : bash { command = "echo {{ ds | shquote }}" }
first_{{ x }} >> second_{{ x }}
{% endmacro %}

pipeline seeds {
    schedule = "*/15 6-18 * * 1-5"
    start    = "2026-11-01T00:00:00Z"
    timezone = "Europe/Paris"

    {% for n in names %}
    {{ pair(n) }}
    {% endfor %}

    {% for i in range(3) %}
    {% if i == 0 %}
    task step_{{ i }} : bash { command = "true" }
    {% elif i % 2 == 1 %}
    task step_{{ i }} : bash { command = "false" }
    step_{{ i - 1 }} >> step_{{ i }}
    {% else %}
    task step_{{ i }} : bash {
        command = """
            echo one
              echo two
        """
        retries = 3
        retry_delay = 1h30m
    }
    step_{{ i - 1 }} >> step_{{ i }}
    {% endif %}
    {% endfor %}
}
