{% set prefix = "daily" %}
{% set n = 2 * 3 + 1 %}
{% set names = ["x", "y"] %}
pipeline {{ prefix }}_load {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    {% set suffix = prefix ~ "_" ~ n %}
    task t_{{ suffix }} : bash { command = "echo {{ names | join(',') }}" }
    task done : bash { command = "true" }
    t_daily_7 >> done
}
