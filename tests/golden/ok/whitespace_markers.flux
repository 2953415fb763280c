{%- set tables = ["a", "b"] -%}
{%- macro echo(name) -%}
task echo_{{- name }} : bash { command = "echo {{- ' ' -}} {{ name }}" }
{%- endmacro %}
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    retries = {{- 1 + 1 -}}
    {%- for t in tables +%}
    task load_{{- t -}} : bash { command = "load {{- ' ' ~ t -}}   " }
    {{- echo(t) -}}
    load_{{- t }} >> echo_{{ t -}}
    {%+ endfor -%}
}
