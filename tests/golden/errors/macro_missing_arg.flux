{% macro step(name, cmd) %}
task {{ name }} : bash { command = "{{ cmd }}" }
{% endmacro %}

pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    {{ step("a") }}
}
