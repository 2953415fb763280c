{% macro load(t) %}
task x_{{ t }} : bash { command = "x" }
{% endmacro %}
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task a : bash { command = "{{ load('x') }} {{ load }} {% set q = load %}" }
}
