{% macro load(name, retries = 1) %}
task load_{{ name }} : bash {
    command = "echo {{ name }}"
    retries = {{ retries }}
}
{% endmacro %}

pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    {{ load("a") }}
    {{ load("b", 5) }}
    load_a >> load_b
}
