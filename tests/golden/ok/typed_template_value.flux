{% set n = 3 %}
{% set slow = true %}
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    max_active_runs = {{ n - 1 }}
    task a : bash {
        command = "true"
        retries = {{ n }}
        depends_on_past = {{ slow }}
    }
}
