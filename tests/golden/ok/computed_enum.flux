# an unquoted {{ expr }} is a typed value: a string from a {% set %} can name an enum value
{% set rule = "all_done" %}
{% set n = 3 %}
pipeline computed {
    schedule = "@daily"
    start    = "2026-11-01T00:00:00Z"
    retries  = {{ n }}

    task a : bash {
        command      = "true"
        trigger_rule = {{ rule }}
    }
}
