{% macro step(name) %}
task {{ name }} : bash { command = "true" }
{% endmacro %}
