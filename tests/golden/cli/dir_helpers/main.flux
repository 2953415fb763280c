pipeline main {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    {% include "_tasks.flux" %}
    extract >> load
}
