{% set plain = "it's" | sql %}
{% set dir = "C:\\data" | sql %}
pipeline p {
    schedule = "@daily"
    start = "2026-01-01T00:00:00Z"
    task load : sqlite {
        conn = "local"
        sql = "SELECT {{ plain }}, {{ 'C:\\data' | sql }}, {{ dir }}"
    }
}
