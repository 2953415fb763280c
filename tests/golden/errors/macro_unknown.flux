{% macro step(name) %}
task {{ name }} : bash { command = "true" }
{% endmacro %}

pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    {{ stpe("a") }}
}
