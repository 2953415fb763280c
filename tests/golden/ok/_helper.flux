{% set shared_tables = ["a", "b"] %}
{% macro probe(name) %}
task probe_{{ name }} : bash { command = "true" }
{% endmacro %}
