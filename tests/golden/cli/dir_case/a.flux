{% include "_common.flux" %}
pipeline a {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    {{ step("one") }}
}
